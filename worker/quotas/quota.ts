// Creator quotas (API.md "Quotas"): storage (the declared sizes of the creator's videos) and
// uploads in the last 24 h, against the per-user override or the default from wrangler.toml
// [vars]. Read in one round trip; checked by POST /api/videos before storage is touched, in the
// same transaction as the insert and under a lock on the user (withinQuota), so concurrent
// creates are checked one after another and cannot all pass.
import { sql, type Column, type SQL } from "drizzle-orm";
import type { Quota } from "#contract/quotas.ts";
import type { Database } from "../db/connection.ts";
import { Problem } from "../http/problem.ts";

const GiB = 1024 ** 3;
const DAY_SECONDS = 24 * 60 * 60;

export function defaultQuota(env: Pick<Env, "STORAGE_QUOTA_BYTES" | "DAILY_UPLOAD_QUOTA">) {
  const bytes = Number(env.STORAGE_QUOTA_BYTES);
  const uploads = Number(env.DAILY_UPLOAD_QUOTA);
  return {
    bytesLimit: Number.isSafeInteger(bytes) && bytes >= 0 && env.STORAGE_QUOTA_BYTES !== "" ? bytes : 50 * GiB,
    uploadsPerDay: Number.isSafeInteger(uploads) && uploads >= 0 && env.DAILY_UPLOAD_QUOTA !== "" ? uploads : 20,
  };
}

export type QuotaState = Quota & {
  /** Seconds until an upload leaves the 24 h window so that one more fits (null: one fits now). */
  retryAfterSeconds: number | null;
};

type QuotaEnv = Pick<Env, "STORAGE_QUOTA_BYTES" | "DAILY_UPLOAD_QUOTA">;

/** The quota statement's row (bigints as text, as Postgres sends them). */
export type QuotaRow = { bytes_used: string; uploads_today: number; bytes_limit: string; uploads_per_day: number; retry_after: number | null };

/**
 * One row with a creator's quota state. `userId` and `creatorId` are values or column references,
 * so that GET /api/me can read it in the same statement as the account (issue #12).
 */
export function quotaStatement(env: QuotaEnv, userId: string | SQL | Column, creatorId: string | SQL | Column): SQL {
  const defaults = defaultQuota(env);
  // The upload that must leave the window for one more to fit is the (count - limit + 1)-th
  // oldest of the window: the oldest when the count is exactly at the limit.
  return sql`
    with quota as (
      select coalesce(u.storage_quota_bytes, ${defaults.bytesLimit}::bigint) as bytes_limit,
             coalesce(u.daily_upload_quota, ${defaults.uploadsPerDay}::int) as uploads_per_day
      from users u where u.id = ${userId}
    ), recent as (
      select created_at, row_number() over (order by created_at asc, id asc) as n, count(*) over () as total
      from videos where creator_id = ${creatorId} and created_at > now() - interval '24 hours'
    )
    select q.bytes_limit::text, q.uploads_per_day,
           (select coalesce(sum(source_size), 0) from videos where creator_id = ${creatorId})::text as bytes_used,
           (select count(*) from recent)::int as uploads_today,
           (select greatest(1, ceil(extract(epoch from (r.created_at + interval '24 hours' - now()))))::int
              from recent r where r.n = r.total - q.uploads_per_day + 1) as retry_after
    from quota q`;
}

export function quotaFromRow(row: QuotaRow | undefined): QuotaState {
  if (!row) throw new Problem({ status: 401, detail: "This account no longer exists." });
  const uploadsToday = row.uploads_today;
  const full = uploadsToday >= row.uploads_per_day;
  return {
    bytesUsed: Number(row.bytes_used),
    bytesLimit: Number(row.bytes_limit),
    uploadsToday,
    uploadsPerDay: row.uploads_per_day,
    // A limit of 0 never frees up: ask again in a day.
    retryAfterSeconds: full ? (row.retry_after ?? DAY_SECONDS) : null,
  };
}

export async function readQuota(db: Pick<Database, "execute">, env: QuotaEnv, userId: string, creatorId: string): Promise<QuotaState> {
  const result = await db.execute<QuotaRow>(quotaStatement(env, userId, creatorId));
  return quotaFromRow(result.rows[0]);
}

export const publicQuota = ({ bytesUsed, bytesLimit, uploadsToday, uploadsPerDay }: QuotaState): Quota => ({ bytesUsed, bytesLimit, uploadsToday, uploadsPerDay });

/** Refuses an upload of `size` bytes past either quota: 429 + Retry-After (daily), 413 (storage). */
async function assertUploadFits(db: Pick<Database, "execute">, env: QuotaEnv, userId: string, creatorId: string, size: number): Promise<void> {
  const quota = await readQuota(db, env, userId, creatorId);
  if (quota.retryAfterSeconds !== null) {
    throw new Problem({
      status: 429,
      detail: `You can upload ${quota.uploadsPerDay} videos per 24 hours; try again in ${Math.ceil(quota.retryAfterSeconds / 60)} minutes.`,
      headers: { "retry-after": String(quota.retryAfterSeconds) },
    });
  }
  if (quota.bytesUsed + size > quota.bytesLimit) {
    throw new Problem({
      status: 413,
      detail: `This upload would exceed your storage quota (${quota.bytesUsed} of ${quota.bytesLimit} bytes used).`,
      errors: [{ path: "size", message: "Over your storage quota." }],
    });
  }
}

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Runs `create` (which inserts the video row) only if an upload of `size` bytes fits, in one
 * transaction holding the user's row lock from the check to the commit: a concurrent create by
 * the same user waits and then counts this one. FOR NO KEY UPDATE leaves the row's foreign-key
 * users (the user's comments, likes, follows) unblocked.
 */
export async function withinQuota<T>(db: Database, env: QuotaEnv, who: { userId: string; creatorId: string }, size: number, create: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from users where id = ${who.userId} for no key update`);
    await assertUploadFits(tx, env, who.userId, who.creatorId, size);
    return create(tx);
  });
}
