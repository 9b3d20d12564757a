// `npm run admin:grant -- <email> [--revoke]`: makes an existing account an admin (or, with
// --revoke, takes it back). Admins are never created over the API; this needs database access.
// The user's current access token still carries the old role until it expires (at most
// ACCESS_TOKEN_TTL_SECONDS) or they sign in again.
import pg from "pg";

const args = process.argv.slice(2);
const revoke = args.includes("--revoke");
const email = args.find((a) => !a.startsWith("--"))?.trim();
const url = process.env.DATABASE_URL;

if (!email || args.length > 2) {
  console.error("Usage: npm run admin:grant -- <email> [--revoke]");
  process.exit(2);
}
if (!url) {
  console.error("Set DATABASE_URL to the database to change (e.g. postgres://postgres@127.0.0.1:5432/edge_video).");
  process.exit(2);
}

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  // Revoking falls back to creator when the account has a creator profile, else viewer.
  const result = revoke
    ? await client.query<{ id: string; email: string; role: string }>(
        `update users set role = case when exists (select 1 from creators where creators.user_id = users.id) then 'creator' else 'viewer' end
         where lower(email) = lower($1) and role = 'admin' returning id, email, role`,
        [email],
      )
    : await client.query<{ id: string; email: string; role: string }>(
        `update users set role = 'admin' where lower(email) = lower($1) returning id, email, role`,
        [email],
      );
  const row = result.rows[0];
  if (!row) {
    console.error(revoke ? `No admin account with email ${email}.` : `No account with email ${email}. Sign up first, then grant.`);
    process.exitCode = 1;
  } else {
    console.log(`${row.email} (${row.id}) is now ${row.role}.`);
  }
} finally {
  await client.end();
}
