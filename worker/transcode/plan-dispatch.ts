// A plan message: lease the video, probe the source once, store the plan and its tasks, and fan
// the tasks out through the queue.
import { and, eq, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import { sourceKey } from "#contract/media-layout.ts";
import type { StoredPlan, TranscodePlan } from "#transcoder/chunks/task-contract.ts";
import { withDatabase, type Database } from "../db/connection.ts";
import { presign } from "../storage/s3-presign.ts";
import { PERMANENT_FAILURES, type PlanMessage, type TaskMessage } from "./job-contract.ts";
import { failTranscode, leaseTranscode, requeueTranscode } from "./lease.ts";
import { enqueueTranscode, planMessage } from "./queue.ts";
import { transcodeSettings } from "./settings.ts";
import { pumpVideo } from "./next-task.ts";
import { runTask, SOURCE_URL_TTL_SECONDS } from "./task-dispatch.ts";
import { probeSource } from "./transcoder-client.ts";

export async function dispatchPlan(env: Env, message: PlanMessage): Promise<void> {
  await withDatabase(env, (db) => planVideo(env, db, message));
}

/** Lease, probe, store the plan and fan its tasks out. */
async function planVideo(env: Env, db: Database, message: PlanMessage): Promise<{ videoId: string; jobId: string } | null> {
  const settings = transcodeSettings(env);
  const outcome = await leaseTranscode(db, message.videoId, settings);
  if (outcome.kind === "exhausted") {
    await failTranscode(db, message.videoId, null, "Transcoding failed after several attempts. Try uploading again.");
    return null;
  }
  if (outcome.kind !== "leased") return null;
  const { videoId, jobId } = outcome.lease;
  const sourceUrl = await presign(env, "GET", sourceKey(videoId), SOURCE_URL_TTL_SECONDS);

  let probe;
  try {
    probe = await probeSource(env, videoId, sourceUrl);
  } catch (error) {
    console.warn("probe unreachable", videoId, error instanceof Error ? error.message : error);
    if (await requeueTranscode(db, videoId, jobId)) await enqueueTranscode(env, planMessage(videoId, "retry"), { delaySeconds: 5 });
    return null;
  }
  if (!probe.ok) {
    if (PERMANENT_FAILURES.includes(probe.failure.code as never)) {
      await failTranscode(db, videoId, jobId, probe.failure.reason);
    } else if (await requeueTranscode(db, videoId, jobId)) {
      await enqueueTranscode(env, planMessage(videoId, "retry"), { delaySeconds: 5 });
    }
    return null;
  }
  const plan = probe.plan;
  if (!(await storePlan(db, videoId, jobId, plan))) return null;

  const task = (kind: TaskMessage["task"]["kind"], index: number): TaskMessage => ({ videoId, jobId, task: { kind, index } });
  // The first video and audio chunks decide when the video is playable: they go to transcoders
  // from here, then the rest of the free slots are filled in playback order (the stills, then
  // the timeline); a full fleet leaves one pump message that comes back until slots free up.
  for (const first of [task("chunk", 0), ...plan.audioChunks.slice(0, 1).map(() => task("audio", 0))]) await runTask(env, first);
  await pumpVideo(env, task("stills", 0));
  return { videoId, jobId };
}

/** Plan and task rows of this job, replacing any earlier job's; false when the lease was lost. */
async function storePlan(db: Database, videoId: string, jobId: string, plan: TranscodePlan): Promise<boolean> {
  const { chunks, audioChunks, ...rest } = plan;
  const stored: StoredPlan = { ...rest, chunkCount: chunks.length, audioChunkCount: audioChunks.length };
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(videos)
      .set({
        plan: stored,
        durationSeconds: plan.durationSeconds,
        width: plan.ladder.rungs[0]!.width,
        height: plan.ladder.rungs[0]!.height,
        heartbeatAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(videos.id, videoId), eq(videos.jobId, jobId), eq(videos.status, "processing")))
      .returning({ id: videos.id });
    if (updated.length === 0) return false;
    await tx.delete(transcodeTasks).where(eq(transcodeTasks.videoId, videoId));
    const rows = [
      ...chunks.map((spec) => ({ videoId, jobId, kind: "chunk" as const, index: spec.index, spec })),
      ...audioChunks.map((spec) => ({ videoId, jobId, kind: "audio" as const, index: spec.index, spec })),
      { videoId, jobId, kind: "stills" as const, index: 0 },
    ];
    for (let i = 0; i < rows.length; i += 500) await tx.insert(transcodeTasks).values(rows.slice(i, i + 500));
    return true;
  });
}
