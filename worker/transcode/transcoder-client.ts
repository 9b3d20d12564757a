// Reaches the transcoder over the same HTTP contract in both worlds: the Container's Durable
// Object in production (one instance per video), TRANSCODER_URL locally.
import { getContainer } from "@cloudflare/containers";
import type { TranscoderJobRequest } from "./job-contract.ts";
import type { Transcoder } from "./transcoder-container.ts";

type TranscoderEnv = Pick<Env, "TRANSCODER" | "TRANSCODER_URL">;

export function transcoderFetch(env: TranscoderEnv, videoId: string, path: string, init?: RequestInit): Promise<Response> {
  if (env.TRANSCODER_URL) return fetch(new URL(path, env.TRANSCODER_URL), init);
  return getContainer(env.TRANSCODER as DurableObjectNamespace<Transcoder>, videoId).fetch(new Request(`http://transcoder${path}`, init));
}

export async function startTranscoderJob(env: TranscoderEnv, job: TranscoderJobRequest): Promise<{ ok: boolean; status: number; body: unknown }> {
  const response = await transcoderFetch(env, job.videoId, "/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(job),
  });
  const body = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, body };
}

export async function cancelTranscoderJob(env: TranscoderEnv, videoId: string): Promise<void> {
  const response = await transcoderFetch(env, videoId, `/jobs/${videoId}`, { method: "DELETE" });
  await response.body?.cancel();
}
