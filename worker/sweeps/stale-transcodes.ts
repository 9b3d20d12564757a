// Finds transcoding work that stopped moving and sends it again: videos stuck in `queued` (a
// crash between upload-complete and enqueue), processing videos whose plan never arrived (the
// probe's consumer died), and tasks whose message was lost or whose consumer vanished. The
// lease and the per-task attempt counts decide whether another try is allowed.
import { and, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { publishProgress } from "../transcode/publish.ts";
import { enqueueTasks, enqueueTranscode, planMessage } from "../transcode/queue.ts";
import { transcodeSettings } from "../transcode/settings.ts";

const QUEUED_GRACE_SECONDS = 120;
const ago = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

export async function sweepStaleTranscodes(env: Env, db: Database): Promise<{ requeued: number; failed: number }> {
  const settings = transcodeSettings(env);
  const stale = await db
    .select({ id: videos.id, status: videos.status })
    .from(videos)
    .where(
      or(
        and(eq(videos.status, "processing"), isNull(videos.plan), lt(videos.heartbeatAt, ago(settings.heartbeatTimeoutSeconds))),
        and(eq(videos.status, "queued"), lt(videos.queuedAt, ago(QUEUED_GRACE_SECONDS))),
      ),
    )
    .limit(100);
  let requeued = 0;
  for (const video of stale) {
    // Push queued_at forward so the next sweep does not send the same video again right away.
    if (video.status === "queued") await db.update(videos).set({ queuedAt: sql`now()` }).where(eq(videos.id, video.id));
    await enqueueTranscode(env, planMessage(video.id, "sweep"));
    requeued++;
  }

  const tasks = await db
    .update(transcodeTasks)
    .set({ state: "pending", updatedAt: sql`now()` })
    .where(
      or(
        and(eq(transcodeTasks.state, "running"), lt(transcodeTasks.updatedAt, ago(settings.taskStaleSeconds))),
        and(eq(transcodeTasks.state, "pending"), lt(transcodeTasks.updatedAt, ago(settings.pendingStaleSeconds))),
      ),
    )
    .returning({ videoId: transcodeTasks.videoId, jobId: transcodeTasks.jobId, kind: transcodeTasks.kind, index: transcodeTasks.index });
  // One message per job is enough: it starts the job's pending tasks in order (next-task.ts).
  const jobs = new Map(tasks.map((t) => [t.jobId, { videoId: t.videoId, jobId: t.jobId, task: { kind: t.kind, index: t.index } }]));
  await enqueueTasks(env, [...jobs.values()].slice(0, 500));

  // Every task done but the video still processing: the publish after the last one failed and
  // its callback gave up. Publishing is idempotent, so it is simply done again.
  const finished = await db
    .select({ id: videos.id, jobId: videos.jobId })
    .from(videos)
    .where(
      and(
        eq(videos.status, "processing"),
        isNotNull(videos.plan),
        lt(videos.heartbeatAt, ago(settings.heartbeatTimeoutSeconds)),
        sql`not exists (select 1 from ${transcodeTasks} where ${transcodeTasks.videoId} = ${videos.id} and ${transcodeTasks.state} <> 'done')`,
      ),
    )
    .limit(20);
  for (const video of finished) if (video.jobId) await publishProgress(env, db, video.id, video.jobId);
  return { requeued: requeued + tasks.length + finished.length, failed: 0 };
}
