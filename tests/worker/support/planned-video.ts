// A leased video with a stored chunk plan (30 s 720p30 with audio) and its task rows, and the
// signed callbacks that make it playable: the publish path of worker/transcode as the
// transcoder drives it (the same setup as tests/worker/transcode-callback.test.ts).
import { SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import type { Database } from "#worker/db/connection.ts";
import { signCallback } from "#transcoder/callback-signature.ts";
import { buildLadder } from "#transcoder/ladder-profile.ts";
import { planAudioChunks, planChunks } from "#transcoder/chunks/plan.ts";
import type { ChunkSpec, StoredPlan, TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { leaseTranscode } from "#worker/transcode/lease.ts";

const storyboard = { interval: 2, tileWidth: 160, tileHeight: 90, columns: 10 };

export type PlannedVideo = { videoId: string; jobId: string; plan: StoredPlan; chunks: ChunkSpec[]; audioChunks: { startSeconds: number; endSeconds: number }[] };

export async function plannedVideo(db: Database, creatorId: string, visibility: "public" | "unlisted" | "private" = "public"): Promise<PlannedVideo> {
  const [video] = await db.insert(videos).values({ creatorId, title: "Fresh upload", visibility, status: "queued", queuedAt: new Date() }).returning();
  const lease = await leaseTranscode(db, video!.id, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 });
  if (lease.kind !== "leased") throw new Error("no lease");
  const ladder = buildLadder({ width: 1280, height: 720, frameRate: { num: 30, den: 1 }, hasAudio: true });
  const chunkPlan = planChunks({ durationSeconds: 30, ladder, videoStartSeconds: 0, storyboard });
  const audioChunks = planAudioChunks(30);
  const poster = { start: 3, end: 6, sampleRate: 1, batch: 5, width: 640, height: 360 };
  const plan: StoredPlan = {
    durationSeconds: 30,
    width: 1280,
    height: 720,
    hasAudio: true,
    ladder,
    frameCount: chunkPlan.frameCount,
    firstFrameIndex: 0,
    chunkCount: chunkPlan.chunks.length,
    audioChunkCount: audioChunks.length,
    images: { poster, thumbnails: { first: 3.75, interval: 7.5, count: 4, width: 320, height: 180 }, storyboard },
  };
  const { videoId, jobId } = lease.lease;
  await db.update(videos).set({ plan }).where(eq(videos.id, videoId));
  await db.insert(transcodeTasks).values([
    ...chunkPlan.chunks.map((spec) => ({ videoId, jobId, kind: "chunk" as const, index: spec.index, spec, state: "running" as const, attempts: 1 })),
    ...audioChunks.map((spec) => ({ videoId, jobId, kind: "audio" as const, index: spec.index, spec, state: "running" as const, attempts: 1 })),
    { videoId, jobId, kind: "stills" as const, index: 0, state: "running" as const, attempts: 1 },
  ]);
  return { videoId, jobId, plan, chunks: chunkPlan.chunks, audioChunks };
}

function audioOutcome(spec: { startSeconds: number; endSeconds: number }): TaskOutcome {
  const count = Math.max(1, Math.round((spec.endSeconds - spec.startSeconds) / 4));
  const duration = (spec.endSeconds - spec.startSeconds) / count;
  return { ok: true, keys: [], renditions: [{ name: "audio", codecs: "mp4a.40.2", segments: Array.from({ length: count }, () => ({ duration, bytes: 1000 })) }] };
}

function chunkOutcome(plan: StoredPlan, spec: ChunkSpec): TaskOutcome {
  const seconds = (spec.endSeconds - spec.startSeconds) / spec.segmentCount;
  return {
    ok: true,
    keys: [],
    renditions: plan.ladder.rungs.map((rung) => ({
      name: rung.name,
      codecs: "avc1.64001f",
      segments: Array.from({ length: spec.segmentCount }, () => ({ duration: seconds, bytes: 100_000 })),
    })),
  };
}

async function callback(secret: string, v: PlannedVideo, kind: "chunk" | "audio", index: number, outcome: TaskOutcome): Promise<number> {
  const text = JSON.stringify({ videoId: v.videoId, jobId: v.jobId, task: { kind, index }, event: "done", at: new Date().toISOString(), outcome });
  const res = await SELF.fetch("http://example.com/api/internal/transcode/callback", {
    method: "POST",
    headers: { "content-type": "application/json", "x-transcoder-signature": await signCallback(secret, text) },
    body: text,
  });
  await res.body?.cancel();
  return res.status;
}

/**
 * Finishes audio chunk 0, then video chunk 0: that second callback makes the video playable.
 * Returns how long that callback took (ms).
 */
export async function flipPlayable(env: { CALLBACK_SECRET: string }, v: PlannedVideo): Promise<number> {
  const audio = await callback(env.CALLBACK_SECRET, v, "audio", 0, audioOutcome(v.audioChunks[0]!));
  if (audio !== 204) throw new Error(`audio callback answered ${audio}`);
  const started = performance.now();
  const status = await callback(env.CALLBACK_SECRET, v, "chunk", 0, chunkOutcome(v.plan, v.chunks[0]!));
  const elapsed = performance.now() - started;
  if (status !== 204) throw new Error(`chunk callback answered ${status}`);
  return Math.round(elapsed * 10) / 10;
}
