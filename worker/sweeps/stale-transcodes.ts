// Finds transcodes whose heartbeat stopped (the transcoder died) and videos stuck in `queued`
// (a crash between upload-complete and enqueue), and re-enqueues them; the lease decides whether
// another attempt is allowed, and exhausted ones go to the dead-letter queue.
import { and, eq, lt, or, sql } from "drizzle-orm";
import { videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { failTranscode } from "../transcode/lease.ts";
import { transcodeSettings } from "../transcode/consumer.ts";
import type { TranscodeMessage } from "../transcode/job-contract.ts";

const QUEUED_GRACE_SECONDS = 120;

export async function sweepStaleTranscodes(env: Env, db: Database): Promise<{ requeued: number; failed: number }> {
  const { maxAttempts, heartbeatTimeoutSeconds } = transcodeSettings(env);
  const stale = await db
    .select({ id: videos.id, attempt: videos.attempt, status: videos.status })
    .from(videos)
    .where(
      or(
        and(
          eq(videos.status, "processing"),
          lt(videos.heartbeatAt, sql`now() - make_interval(secs => ${heartbeatTimeoutSeconds})`),
        ),
        and(eq(videos.status, "queued"), lt(videos.queuedAt, sql`now() - make_interval(secs => ${QUEUED_GRACE_SECONDS})`)),
      ),
    )
    .limit(100);
  let requeued = 0;
  let failed = 0;
  for (const video of stale) {
    const message: TranscodeMessage = { videoId: video.id, reason: "sweep" };
    if (video.status === "processing" && video.attempt >= maxAttempts) {
      if (await failTranscode(db, video.id, null, "Transcoding stopped responding several times. Try uploading again.")) {
        await env.TRANSCODE_DLQ.send(message);
        failed++;
      }
      continue;
    }
    // Push queued_at forward so the next sweep does not send the same video again right away.
    if (video.status === "queued") await db.update(videos).set({ queuedAt: sql`now()` }).where(eq(videos.id, video.id));
    await env.TRANSCODE_QUEUE.send(message);
    requeued++;
  }
  return { requeued, failed };
}
