// "There is something to sweep": an R2 object written when an upload starts or completes and
// removed by a sweep that finds no unfinished upload or transcode. The every-minute cron reads it
// (one cheap R2 head) before it opens the database, so an idle platform never connects and Neon
// can suspend its compute. The full sweep still runs every SAFETY_SWEEP_MINUTES whatever the
// marker says (trending decay, and a marker lost to a race with its removal).
import { sql } from "drizzle-orm";
import { SWEEP_WORK_KEY } from "#contract/media-layout.ts";
import { transcodeTasks, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export const SAFETY_SWEEP_MINUTES = 15;

/** Written before the row it announces, so a sweep that misses the row still sees a new marker. */
export async function markSweepWork(bucket: R2Bucket): Promise<void> {
  // Unique content: each write gets a new etag, which is how a sweep knows it was rewritten.
  await bucket.put(SWEEP_WORK_KEY, crypto.randomUUID());
}

/** The marker's etag, or null when there is nothing to sweep. */
export async function sweepWorkMarker(bucket: R2Bucket): Promise<string | null> {
  return (await bucket.head(SWEEP_WORK_KEY))?.etag ?? null;
}

export const isSafetySweepMinute = (scheduledTime: number) => Math.floor(scheduledTime / 60_000) % SAFETY_SWEEP_MINUTES === 0;

/** Unfinished uploads, videos waiting for or in a transcode, or tasks not done (partial indexes). */
export async function hasUnfinishedWork(db: Database): Promise<boolean> {
  const { rows } = await db.execute<{ busy: boolean }>(sql`
    select exists (select 1 from ${videos} where ${videos.status} in ('uploading', 'queued', 'processing'))
        or exists (select 1 from ${transcodeTasks} where ${transcodeTasks.state} <> 'done') as busy`);
  return rows[0]?.busy === true;
}

/** Removes the marker unless it was rewritten since `etag` was read. */
export async function clearSweepWork(bucket: R2Bucket, etag: string | null): Promise<void> {
  if (etag === null) return;
  if ((await sweepWorkMarker(bucket)) === etag) await bucket.delete(SWEEP_WORK_KEY);
}
