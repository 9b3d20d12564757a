// A leased video with a stored chunk plan (30 s 720p30 with audio) and its task rows, and the
// signed callbacks that make it playable: the publish path of worker/transcode as the
// transcoder drives it (the video and outcomes come from ./transcode-fixtures.ts).
import { SELF } from "cloudflare:test";
import { signCallback } from "#transcoder/callback-signature.ts";
import type { TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { audioOutcome, chunkOutcome, plannedVideoOf, type PlannedVideo } from "../transcode-fixtures.ts";

export type { PlannedVideo };
export const plannedVideo = plannedVideoOf;

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
