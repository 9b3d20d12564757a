// One task of a plan (a chunk, the audio, the stills): hand it to a free transcoder, wait for
// its outcome, record it, publish what it completes. Retries are per task; a full fleet is
// back-pressure (the message comes back later and no attempt is counted).
import { and, eq, ne, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import { sourceKey } from "#contract/media-layout.ts";
import { TASK_PATHS, taskOutcomeSchema, type TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { withDatabase, type Database } from "../db/connection.ts";
import { presign } from "../storage/s3-presign.ts";
import { PERMANENT_FAILURES, type TaskMessage } from "./job-contract.ts";
import { failTranscode } from "./lease.ts";
import { SOURCE_URL_TTL_SECONDS } from "./plan-dispatch.ts";
import { publishProgress } from "./publish.ts";
import { enqueueTasks, enqueueTranscode } from "./queue.ts";
import { callbackUrl, transcodeSettings } from "./settings.ts";
import { takeTask } from "./transcoder-client.ts";

const BUSY_DELAY_SECONDS = 3;

async function loadTask(db: Database, message: TaskMessage) {
  const [row] = await db
    .select({ task: transcodeTasks, plan: videos.plan, status: videos.status, jobId: videos.jobId })
    .from(transcodeTasks)
    .innerJoin(videos, eq(videos.id, transcodeTasks.videoId))
    .where(and(eq(transcodeTasks.videoId, message.videoId), eq(transcodeTasks.kind, message.task.kind), eq(transcodeTasks.index, message.task.index)));
  if (!row || !row.plan || row.status !== "processing" || row.jobId !== message.jobId || row.task.jobId !== message.jobId) return null;
  if (row.task.state === "done") return null;
  return { task: row.task, plan: row.plan };
}

async function payloadFor(env: Env, message: TaskMessage, loaded: NonNullable<Awaited<ReturnType<typeof loadTask>>>) {
  const { videoId, jobId } = message;
  const { plan, task } = loaded;
  const source = { url: await presign(env, "GET", sourceKey(videoId), SOURCE_URL_TTL_SECONDS) };
  switch (message.task.kind) {
    case "chunk":
      return { path: TASK_PATHS.chunk, body: { videoId, jobId, source, ladder: plan.ladder, firstFrameIndex: plan.firstFrameIndex, storyboard: plan.images.storyboard, chunk: task.spec } };
    case "audio":
      return { path: TASK_PATHS.audio, body: { videoId, jobId, source, durationSeconds: plan.durationSeconds, callback: { url: callbackUrl(env) } } };
    case "stills":
      return { path: TASK_PATHS.stills, body: { videoId, jobId, source, durationSeconds: plan.durationSeconds, deinterlace: plan.ladder.deinterlace, images: plan.images } };
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
export async function runTask(env: Env, message: TaskMessage, hooks: { onBusy: () => Promise<void>; onTaken?: () => void }): Promise<void> {
  const taken = () => hooks.onTaken?.();
  // No database connection stays open while the transcoder works (tens of seconds).
  const loaded = await withDatabase(env, (db) => loadTask(db, message));
  if (!loaded) return taken();
  const { path, body } = await payloadFor(env, message, loaded);
  let handle;
  try {
    handle = await takeTask(env, path, body);
  } catch (error) {
    taken();
    return withDatabase(env, (db) => retryOrFail(env, db, message, loaded.task.attempts + 1, String(error)));
  }
  if (handle === "busy") {
    taken();
    // Still waiting, not lost: the sweep leaves it alone.
    await withDatabase(env, (db) => db.update(transcodeTasks).set({ updatedAt: sql`now()` }).where(taskWhere(message)));
    return hooks.onBusy();
  }
  const marked = await withDatabase(env, async (db) => {
    const [row] = await db
      .update(transcodeTasks)
      .set({ state: "running", attempts: sql`${transcodeTasks.attempts} + 1`, startedAt: sql`now()`, updatedAt: sql`now()` })
      .where(taskWhere(message))
      .returning({ attempts: transcodeTasks.attempts });
    return row;
  });
  taken();
  if (!marked) {
    await handle.response.body?.cancel(); // superseded meanwhile: stop the work
    return;
  }
  let outcome: TaskOutcome;
  try {
    outcome = taskOutcomeSchema.parse(JSON.parse(await handle.response.text()));
  } catch (error) {
    // The transcoder died or the connection broke mid-task: redo it elsewhere.
    return withDatabase(env, (db) => retryOrFail(env, db, message, marked.attempts, `slot ${handle.slot}: ${String(error)}`));
  }
  await withDatabase(env, (db) => recordOutcome(env, db, message, marked.attempts, outcome));
}

async function recordOutcome(env: Env, db: Database, message: TaskMessage, attempts: number, outcome: TaskOutcome): Promise<void> {
  if (!outcome.ok) {
    if (PERMANENT_FAILURES.includes(outcome.failure.code as never)) {
      await failTranscode(db, message.videoId, message.jobId, outcome.failure.reason);
      return;
    }
    return retryOrFail(env, db, message, attempts, `${outcome.failure.code}: ${outcome.failure.reason}`);
  }
  const done = await db
    .update(transcodeTasks)
    .set({ state: "done", result: { renditions: outcome.renditions, keys: outcome.keys }, updatedAt: sql`now()` })
    .where(taskWhere(message))
    .returning({ index: transcodeTasks.index });
  if (done.length === 0) {
    const [video] = await db.select({ id: videos.id }).from(videos).where(eq(videos.id, message.videoId));
    // Deleted while this task ran: what it wrote is removed too.
    if (!video && outcome.keys.length > 0) await env.MEDIA.delete(outcome.keys);
    return;
  }
  await publishProgress(env, db, message.videoId, message.jobId);
}

async function retryOrFail(env: Env, db: Database, message: TaskMessage, attempts: number, detail: string): Promise<void> {
  const { maxTaskAttempts } = transcodeSettings(env);
  console.warn("transcode task failed", message.videoId, message.task, attempts, detail);
  if (attempts >= maxTaskAttempts) {
    await failTranscode(db, message.videoId, message.jobId, "Part of this video could not be processed after several attempts. Try uploading again.");
    return;
  }
  await db.update(transcodeTasks).set({ state: "pending", attempts, updatedAt: sql`now()` }).where(taskWhere(message));
  await enqueueTasksDelayed(env, message, Math.min(60, 5 * attempts));
}

export async function enqueueTasksDelayed(env: Env, message: TaskMessage, delaySeconds: number): Promise<void> {
  await enqueueTranscode(env, message, { delaySeconds });
}

export const requeueBusy = (env: Env, message: TaskMessage) => enqueueTasksDelayed(env, message, BUSY_DELAY_SECONDS);
export { enqueueTasks };
