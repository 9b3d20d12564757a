// Fixtures for the transcode tests in workerd: a leased video with a stored plan and its task
// rows, task outcomes as a transcoder reports them, and signed callbacks.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { creators, transcodeTasks, users, videos } from "#db/schema.ts";
import type { Database } from "#worker/db/connection.ts";
import { signCallback } from "#transcoder/callback-signature.ts";
import { buildLadder } from "#transcoder/ladder-profile.ts";
import { planAudioChunks, planChunks } from "#transcoder/chunks/plan.ts";
import type { AudioChunkSpec, ChunkSpec, StoredPlan, TaskKind, TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { leaseTranscode } from "#worker/transcode/lease.ts";

const storyboard = { interval: 2, tileWidth: 160, tileHeight: 90, columns: 10 };

/** A leased video with a stored plan for a 30 s 720p30 clip with audio, and its task rows (a new creator's). */
export async function plannedVideo(db: Database) {
  const [user] = await db.insert(users).values({ email: `cb-${crypto.randomUUID()}@example.com`, passwordHash: "x", role: "creator" }).returning();
  const [creator] = await db.insert(creators).values({ userId: user!.id, displayName: "Callback" }).returning();
  return plannedVideoOf(db, creator!.id);
}

export type PlannedVideo = Awaited<ReturnType<typeof plannedVideoOf>>;

/** The same for a given creator and visibility. */
export async function plannedVideoOf(db: Database, creatorId: string, visibility: "public" | "unlisted" | "private" = "public") {
  const [video] = await db.insert(videos).values({ creatorId, title: "cb", visibility, status: "queued", queuedAt: new Date() }).returning();
  const lease = await leaseTranscode(db, video!.id, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 });
  if (lease.kind !== "leased") throw new Error("no lease");
  const ladder = buildLadder({ width: 1280, height: 720, frameRate: { num: 30, den: 1 }, hasAudio: true });
  const chunkPlan = planChunks({ durationSeconds: 30, ladder, videoStartSeconds: 0, storyboard });
  const audioChunks = planAudioChunks(30);
  const poster = { start: 3, end: 6, sampleRate: 1, batch: 5, width: 640, height: 360 };
  const plan: StoredPlan = {
    durationSeconds: 30, width: 1280, height: 720, hasAudio: true, ladder, frameCount: chunkPlan.frameCount, firstFrameIndex: 0,
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

export function audioOutcome(spec: AudioChunkSpec): TaskOutcome {
  const count = Math.max(1, Math.round((spec.endSeconds - spec.startSeconds) / 4));
  const duration = (spec.endSeconds - spec.startSeconds) / count;
  return { ok: true, keys: [], renditions: [{ name: "audio", codecs: "mp4a.40.2", segments: Array.from({ length: count }, () => ({ duration, bytes: 1000 })) }] };
}

export function chunkOutcome(plan: StoredPlan, spec: ChunkSpec): TaskOutcome {
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

export async function post(body: object, signature?: string) {
  const text = JSON.stringify(body);
  return SELF.fetch("http://example.com/api/internal/transcode/callback", {
    method: "POST",
    headers: { "content-type": "application/json", "x-transcoder-signature": signature ?? (await signCallback(env.CALLBACK_SECRET, text)) },
    body: text,
  });
}

export const callback = (v: { videoId: string; jobId: string }, kind: TaskKind, index: number, event: string, outcome?: TaskOutcome) => ({
  videoId: v.videoId, jobId: v.jobId, task: { kind, index }, event, at: new Date().toISOString(), ...(outcome ? { outcome } : {}),
});

