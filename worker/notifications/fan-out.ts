// New-video fan-out, in two steps through the queue so no request or callback ever waits on
// followers: plan (the follower id boundaries, one message per FAN_OUT_BATCH followers) and
// batch (one INSERT … SELECT … ON CONFLICT DO NOTHING per range). The unique index
// notifications_new_video_key (user, video) makes redelivery and overlapping ranges harmless.
import { sql } from "drizzle-orm";
import { FAN_OUT_BATCH } from "#contract/notifications.ts";
import type { Database } from "../db/connection.ts";
import type { NewVideoBatchMessage, NewVideoMessage } from "./messages.ts";

/** Cloudflare Queues: at most 100 messages per sendBatch, and a delay of at most 12 h. */
const SEND_BATCH_MAX = 100;
export const MAX_DELAY_SECONDS = 12 * 60 * 60;

/** The notifying state of a video (a public, playable video that is not removed). */
const NOTIFIES = sql`v.visibility = 'public' and v.playable and v.removed_at is null`;

export type PlanOutcome =
  | { kind: "planned"; batches: number }
  | { kind: "not-yet"; delaySeconds: number } // publishAt is ahead: look again then
  | { kind: "superseded" } // waited for a publishAt the owner has since changed (that change queued its own)
  | { kind: "not-playable" } // committed state not visible yet (or never): retry a few times
  | { kind: "skip" }; // gone, not public, removed

export async function planFanOut(env: Pick<Env, "NOTIFICATIONS_QUEUE">, db: Database, message: NewVideoMessage): Promise<PlanOutcome> {
  const state = await db.execute<{ notifies: boolean; waiting: boolean; wait_seconds: number | null; publish_at: string | null; same_time: boolean }>(sql`
    select ${NOTIFIES} as notifies, (v.visibility = 'public' and not v.playable and v.removed_at is null) as waiting,
           ceil(extract(epoch from (v.publish_at - now())))::int as wait_seconds,
           to_char(v.publish_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as publish_at,
           v.publish_at is not distinct from ${message.publishAt ?? null}::timestamptz as same_time
    from videos v where v.id = ${message.videoId}`);
  const video = state.rows[0];
  if (!video) return { kind: "skip" };
  // One waiting message per schedule: rescheduling (videos/routes.ts) queues a new one, and the
  // old one ends here instead of waking every 12 h for nothing or planning at the old time.
  if (message.publishAt !== undefined && !video.same_time) return { kind: "superseded" };
  if (!video.notifies) return video.waiting ? { kind: "not-playable" } : { kind: "skip" };
  if (video.wait_seconds !== null && video.wait_seconds > 0 && video.publish_at !== null) {
    const delaySeconds = Math.min(video.wait_seconds, MAX_DELAY_SECONDS);
    await env.NOTIFICATIONS_QUEUE.send({ ...message, publishAt: video.publish_at } satisfies NewVideoMessage, { delaySeconds });
    return { kind: "not-yet", delaySeconds };
  }
  // Every FAN_OUT_BATCH-th follower id (in id order) starts a batch; the last range is open-ended.
  const starts = await db.execute<{ follower_id: string }>(sql`
    select follower_id from (
      select f.follower_id, row_number() over (order by f.follower_id) as n
      from follows f join videos v on v.creator_id = f.creator_id
      where v.id = ${message.videoId}
    ) s
    where (n - 1) % ${FAN_OUT_BATCH} = 0
    order by follower_id`);
  const ids = starts.rows.map((r) => r.follower_id);
  const batches: NewVideoBatchMessage[] = ids.map((from, i) => ({ kind: "new-video-batch", videoId: message.videoId, from, to: ids[i + 1] ?? null }));
  for (let i = 0; i < batches.length; i += SEND_BATCH_MAX) {
    await env.NOTIFICATIONS_QUEUE.sendBatch(batches.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body })));
  }
  return { kind: "planned", batches: batches.length };
}

/** One range of followers, one statement; returns the rows it created (0 on redelivery). */
export async function runFanOutBatch(db: Database, message: NewVideoBatchMessage): Promise<number> {
  const inserted = await db.execute(sql`
    insert into notifications (user_id, kind, video_id, actor_id)
    select f.follower_id, 'new-video', v.id, c.user_id
    from videos v
    join creators c on c.id = v.creator_id
    join follows f on f.creator_id = v.creator_id
    where v.id = ${message.videoId} and ${NOTIFIES}
      and (v.publish_at is null or v.publish_at <= now())
      and f.follower_id >= ${message.from}::uuid
      and (${message.to}::uuid is null or f.follower_id < ${message.to}::uuid)
      and f.follower_id <> c.user_id
    on conflict do nothing`);
  return inserted.rowCount ?? 0;
}
