// One task of a plan (a chunk, the audio, the stills): hand it to a free transcoder; when its
// outcome arrives (signed callback), record it and publish what it completes. Retries are per
// task; a full fleet is back-pressure (the message comes back later and no attempt is counted).
import { and, eq, ne, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import { sourceKey } from "#contract/media-layout.ts";
import { TASK_PATHS, type AudioChunkSpec, type ChunkSpec, type DownloadSpec, type TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { withDatabase, type Database } from "../db/connection.ts";
import { abandonDownload } from "../downloads/tasks.ts";
import { presign } from "../storage/s3-presign.ts";
import { PERMANENT_FAILURES, type TaskMessage } from "./job-contract.ts";
import { failTranscode } from "./lease.ts";
import { enqueueTranscode } from "./queue.ts";
import { callbackUrl, transcodeSettings } from "./settings.ts";
import { takeTask } from "./transcoder-client.ts";

/** Sources are read by chunks for as long as the video takes; S3 presigning allows 7 days. */
export const SOURCE_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

async function loadTask(db: Database, message: TaskMessage) {
  const [row] = await db
    .select({ task: transcodeTasks, plan: videos.plan, status: videos.status, jobId: videos.jobId })
    .from(transcodeTasks)
    .innerJoin(videos, eq(videos.id, transcodeTasks.videoId))
    .where(and(eq(transcodeTasks.videoId, message.videoId), eq(transcodeTasks.kind, message.task.kind), eq(transcodeTasks.index, message.task.index)));
  // The download task runs once the video is ready (downloads/tasks.ts); the others while it is processing.
  const runsWhile = message.task.kind === "download" ? "ready" : "processing";
  if (!row || !row.plan || row.status !== runsWhile || row.jobId !== message.jobId || row.task.jobId !== message.jobId) return null;
  if (row.task.state === "done") return null;
  return { task: row.task, plan: row.plan };
}

async function payloadFor(env: Env, message: TaskMessage, loaded: NonNullable<Awaited<ReturnType<typeof loadTask>>>) {
  const { videoId, jobId } = message;
  const { plan, task } = loaded;
  const source = { url: await presign(env, "GET", sourceKey(videoId), SOURCE_URL_TTL_SECONDS) };
  const callback = { url: callbackUrl(env) };
  switch (message.task.kind) {
    case "chunk":
      return { path: TASK_PATHS.chunk, body: { videoId, jobId, source, callback, ladder: plan.ladder, firstFrameIndex: plan.firstFrameIndex, storyboard: plan.images.storyboard, chunk: task.spec as ChunkSpec } };
    case "audio":
      return { path: TASK_PATHS.audio, body: { videoId, jobId, source, callback, audio: task.spec as AudioChunkSpec } };
    case "stills":
      return { path: TASK_PATHS.stills, body: { videoId, jobId, source, callback, durationSeconds: plan.durationSeconds, deinterlace: plan.ladder.deinterlace, images: plan.images } };
    case "download":
      return { path: TASK_PATHS.download, body: { videoId, jobId, callback, download: task.spec as DownloadSpec } };
  }
}

const taskWhere = (message: TaskMessage) =>
  and(
    eq(transcodeTasks.videoId, message.videoId),
    eq(transcodeTasks.kind, message.task.kind),
    eq(transcodeTasks.index, message.task.index),
    eq(transcodeTasks.jobId, message.jobId),
    ne(transcodeTasks.state, "done"),
  );

/**
 * Runs a task to its end. `onTaken` fires as soon as a transcoder took it (or it turned out to
 * need no work), so a batch can hand out its tasks in order before waiting on any of them.
 */
/**
 * Hands the task to a free transcoder; its outcome arrives later as a signed callback. The
 * task is claimed first (pending → running), so a queued message and a hand-off can never run
 * it twice; a busy fleet puts the claim back and counts no attempt.
 */
export async function runTask(env: Env, message: TaskMessage, opts: { slot?: number } = {}): Promise<"taken" | "busy" | "skipped"> {
  const loaded = await withDatabase(env, (db) => loadTask(db, message));
  if (!loaded) return "skipped";
  const claimed = await withDatabase(env, async (db) => {
    const rows = await db
      .update(transcodeTasks)
      .set({ state: "running", updatedAt: sql`now()` })
      .where(and(taskWhere(message), eq(transcodeTasks.state, "pending")))
      .returning({ attempts: transcodeTasks.attempts });
    return rows[0];
  });
  if (!claimed) return "skipped"; // running elsewhere, or done
  const { path, body } = await payloadFor(env, message, loaded);
  let taken;
  try {
    taken = await takeTask(env, path, body, { slot: opts.slot });
  } catch (error) {
    await withDatabase(env, (db) => retryOrFail(env, db, message, claimed.attempts + 1, String(error)));
    return "skipped";
  }
  return withDatabase(env, async (db) => {
    if (taken === "busy") {
      // Back to pending, no attempt counted: the caller decides when to look again (next-task.ts).
      await db.update(transcodeTasks).set({ state: "pending", updatedAt: sql`now()` }).where(taskWhere(message));
      return "busy";
    }
    await db
      .update(transcodeTasks)
      .set({ attempts: sql`${transcodeTasks.attempts} + 1`, slot: taken.slot, startedAt: sql`now()`, updatedAt: sql`now()` })
      .where(taskWhere(message));
    return "taken";
  });
}

export type RecordedOutcome = { current: false } | { current: true; slot: number | null; completed: boolean };

/**
 * A task's outcome (from its callback): recorded, retried or failed. `completed` says a task was
 * newly done, so there is something to publish (publishProgress, after the freed slot is refilled).
 */
export async function recordOutcome(env: Env, db: Database, message: TaskMessage, outcome: TaskOutcome): Promise<RecordedOutcome> {
  const [row] = await db
    .select({ attempts: transcodeTasks.attempts, slot: transcodeTasks.slot, state: transcodeTasks.state })
    .from(transcodeTasks)
    .where(and(eq(transcodeTasks.videoId, message.videoId), eq(transcodeTasks.kind, message.task.kind), eq(transcodeTasks.index, message.task.index), eq(transcodeTasks.jobId, message.jobId)));
  // A repeated success of a task already recorded (the first answer was lost, or publishing
  // failed after it was recorded): publish again, so a video never stays one publish short.
  if (row?.state === "done") {
    const [video] = await db.select({ status: videos.status, jobId: videos.jobId }).from(videos).where(eq(videos.id, message.videoId));
    const stillPublishing = outcome.ok && video?.status === "processing" && video.jobId === message.jobId;
    return stillPublishing ? { current: true, slot: null, completed: true } : { current: false };
  }
  if (!row) {
    const [video] = await db.select({ id: videos.id }).from(videos).where(eq(videos.id, message.videoId));
    // Deleted while this task ran (or, for a download, downloads were turned off): what it wrote is removed too.
    if ((!video || message.task.kind === "download") && outcome.ok && outcome.keys.length > 0) await env.MEDIA.delete(outcome.keys);
    return { current: false };
  }
  const attempts = Math.max(1, row.attempts);
  if (!outcome.ok) {
    if (PERMANENT_FAILURES.includes(outcome.failure.code as never)) await failTask(db, message, outcome.failure.reason);
    else await retryOrFail(env, db, message, attempts, `${outcome.failure.code}: ${outcome.failure.reason}`);
    return { current: true, slot: row.slot, completed: false };
  }
  const done = await db
    .update(transcodeTasks)
    .set({ state: "done", result: { renditions: outcome.renditions, keys: outcome.keys }, updatedAt: sql`now()` })
    .where(taskWhere(message))
    .returning({ index: transcodeTasks.index });
  return { current: true, slot: row.slot, completed: done.length > 0 };
}

async function retryOrFail(env: Env, db: Database, message: TaskMessage, attempts: number, detail: string): Promise<void> {
  const { maxTaskAttempts } = transcodeSettings(env);
  console.warn("transcode task failed", message.videoId, message.task, attempts, detail);
  if (attempts >= maxTaskAttempts) {
    await failTask(db, message, "Part of this video could not be processed after several attempts. Try uploading again.");
    return;
  }
  await db.update(transcodeTasks).set({ state: "pending", attempts, updatedAt: sql`now()` }).where(taskWhere(message));
  await enqueueTranscode(env, message, { delaySeconds: Math.min(60, 5 * attempts) });
}


/** A task that cannot succeed fails its video, except a download, which fails only itself. */
function failTask(db: Database, message: TaskMessage, reason: string): Promise<unknown> {
  if (message.task.kind === "download") return abandonDownload(db, message, reason);
  return failTranscode(db, message.videoId, message.jobId, reason);
}
