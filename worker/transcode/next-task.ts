// Which task a free transcoder gets next, and the two ways it gets it. Every path picks the same
// way — the job's earliest pending task in playback order — so whoever reaches a free slot
// first (a finished task's callback, or a queued pump message) starts the right task:
// - dispatchNext: a transcoder reported a task done, so its slot is free: one request to it.
// - pumpVideo: a queued message for a job (after planning, a retry's backoff, the sweep) starts
//   what it can on any free slot, and comes back later while the fleet is full.
import { and, eq, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import { CHUNK_PROFILE } from "#transcoder/chunks/plan.ts";
import { withDatabase, type Database } from "../db/connection.ts";
import type { TaskMessage } from "./job-contract.ts";
import { enqueueTranscode } from "./queue.ts";
import { runTask } from "./task-dispatch.ts";
import { slotCount } from "./transcoder-client.ts";

/** How long a pump waits before looking for a free slot again when the fleet was full. */
export const BUSY_DELAY_SECONDS = 3;

/** Playback order within a job: the first video and audio chunks, then by start time (CHUNK_PROFILE.stillsAtSeconds for the stills). */
const playbackOrder = [
  sql`case when ${transcodeTasks.kind} <> 'stills' and ${transcodeTasks.index} = 0 then 0 else 1 end`,
  sql`coalesce((${transcodeTasks.spec}->>'startSeconds')::float8, ${CHUNK_PROFILE.stillsAtSeconds})`,
];

const taskColumns = { videoId: transcodeTasks.videoId, jobId: transcodeTasks.jobId, kind: transcodeTasks.kind, index: transcodeTasks.index };

async function nextPending(db: Database, videoId: string, jobId: string, opts: { except?: TaskMessage["task"]; otherVideos: boolean }): Promise<TaskMessage | null> {
  const pending = and(
    eq(transcodeTasks.state, "pending"),
    opts.except ? sql`not (${transcodeTasks.videoId} = ${videoId} and ${transcodeTasks.kind} = ${opts.except.kind} and ${transcodeTasks.index} = ${opts.except.index})` : undefined,
  );
  const [own] = await db
    .select(taskColumns)
    .from(transcodeTasks)
    .where(and(eq(transcodeTasks.videoId, videoId), eq(transcodeTasks.jobId, jobId), pending))
    .orderBy(...playbackOrder)
    .limit(1);
  const [next] = own || !opts.otherVideos
    ? [own]
    : await db
        .select(taskColumns)
        .from(transcodeTasks)
        .innerJoin(videos, and(eq(videos.id, transcodeTasks.videoId), eq(videos.jobId, transcodeTasks.jobId), eq(videos.status, "processing")))
        .where(pending)
        .orderBy(videos.queuedAt, ...playbackOrder)
        .limit(1);
  return next ? { videoId: next.videoId, jobId: next.jobId, task: { kind: next.kind, index: next.index } } : null;
}

/**
 * The transcoder in `slot` just reported and is free: it gets this job's next pending task, or
 * when the job has none left to start, the next one of the video that has waited longest.
 * `except`: a task that just failed waits for its retry's backoff.
 */
export async function dispatchNext(env: Env, db: Database, videoId: string, jobId: string, slot: number, except?: TaskMessage["task"]): Promise<void> {
  // A few candidates: the first may be claimed by a pump in the meantime.
  for (let round = 0; round < 3; round += 1) {
    const next = await nextPending(db, videoId, jobId, { except, otherVideos: true });
    if (!next) return;
    if ((await runTask(env, next, { slot })) !== "skipped") return;
  }
}

/**
 * A queued message for a job: start its pending tasks in playback order on whatever slots are
 * free; while the fleet is full, the message comes back after BUSY_DELAY_SECONDS (no attempt is
 * counted). Nothing pending: nothing to do (a finished task's callback takes it from here).
 */
export async function pumpVideo(env: Env, message: TaskMessage): Promise<void> {
  const { videoId, jobId } = message;
  for (let started = 0, skipped = 0; started < slotCount(env) && skipped < 3; ) {
    const next = await withDatabase(env, (db) => nextPending(db, videoId, jobId, { otherVideos: false }));
    if (!next) return;
    const outcome = await runTask(env, next);
    if (outcome === "busy") {
      await enqueueTranscode(env, message, { delaySeconds: BUSY_DELAY_SECONDS });
      return;
    }
    if (outcome === "taken") started += 1;
    else skipped += 1;
  }
}
