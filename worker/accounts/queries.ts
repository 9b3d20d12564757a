// Account data functions (db first, no HTTP here).
import { eq, sql } from "drizzle-orm";
import { isUniqueViolation } from "#db/errors.ts";
import { creators, users } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { quotaFromRow, quotaStatement, type QuotaRow, type QuotaState } from "../quotas/quota.ts";

export type UserRow = typeof users.$inferSelect;
export type CreatorRow = typeof creators.$inferSelect;

/** Emails compare case-insensitively; this matches the unique index on lower(email). */
export async function findUserByEmail(db: Database, email: string): Promise<UserRow | null> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email.trim()})`)
    .limit(1);
  return row ?? null;
}

export async function findUserById(db: Database, id: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}

/**
 * GET /api/me in one statement: the user, their creator profile and (for creators) their quota
 * state (worker/quotas), so a signed-in creator's account costs one round trip, not two.
 */
export async function findAccount(
  db: Database,
  env: Pick<Env, "STORAGE_QUOTA_BYTES" | "DAILY_UPLOAD_QUOTA">,
  id: string,
): Promise<{ user: UserRow; creator: CreatorRow | null; quota: QuotaState | null } | null> {
  const [row] = await db
    .select({
      user: users,
      creator: creators,
      quota: sql<QuotaRow | null>`case when ${creators.id} is null then null else (select row_to_json(q) from (${quotaStatement(env, users.id, creators.id)}) q) end`,
    })
    .from(users)
    .leftJoin(creators, eq(creators.userId, users.id))
    .where(eq(users.id, id))
    .limit(1);
  if (!row) return null;
  return { user: row.user, creator: row.creator, quota: row.creator && row.quota ? quotaFromRow(row.quota) : null };
}

export class EmailTakenError extends Error {
  constructor() {
    super("email already registered");
  }
}

export type NewAccount = {
  email: string;
  passwordHash: string;
  role: "viewer" | "creator";
  creator?: { displayName: string; bio: string };
};

/** Creates the user and, for creators, the creator profile in the same transaction. */
export async function createAccount(db: Database, input: NewAccount): Promise<{ user: UserRow; creator: CreatorRow | null }> {
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email: input.email.trim(), passwordHash: input.passwordHash, role: input.role })
        .returning();
      if (!user) throw new Error("insert returned no user");
      let creator: CreatorRow | null = null;
      if (input.role === "creator") {
        if (!input.creator) throw new Error("creator accounts need a profile");
        const [row] = await tx
          .insert(creators)
          .values({ userId: user.id, displayName: input.creator.displayName, bio: input.creator.bio })
          .returning();
        creator = row ?? null;
      }
      return { user, creator };
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_email_lower_key")) throw new EmailTakenError();
    throw err;
  }
}

export async function updatePasswordHash(db: Database, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}
