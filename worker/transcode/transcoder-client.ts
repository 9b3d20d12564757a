// Reaches the transcoder fleet over one HTTP contract in both worlds: a pool of Containers in
// production (Durable Object names slot-0 … slot-N-1, one task each at a time), and locally the
// processes listed in TRANSCODER_URL (comma-separated). A task goes to the first free slot,
// starting from a random one; when every slot answers 503 the fleet is full (back-pressure).
import { getContainer } from "@cloudflare/containers";
import { signedTranscoderInit } from "#transcoder/request-auth.ts";
import { probeOutcomeSchema, type ProbeOutcome } from "#transcoder/chunks/task-contract.ts";
import type { Transcoder } from "./transcoder-container.ts";

type TranscoderEnv = Pick<Env, "TRANSCODER" | "TRANSCODER_URL" | "TRANSCODER_SLOTS" | "CALLBACK_SECRET">;

function localUrls(env: TranscoderEnv): string[] {
  return env.TRANSCODER_URL ? env.TRANSCODER_URL.split(",").map((u) => u.trim()).filter(Boolean) : [];
}

export function slotCount(env: TranscoderEnv): number {
  const urls = localUrls(env);
  return urls.length > 0 ? urls.length : Math.max(1, Number(env.TRANSCODER_SLOTS) || 1);
}

async function slotFetch(env: TranscoderEnv, slot: number, path: string, body: string): Promise<Response> {
  const init = await signedTranscoderInit(env.CALLBACK_SECRET, "POST", path, body);
  const urls = localUrls(env);
  if (urls.length > 0) return fetch(new URL(path, urls[slot]), init);
  const container = getContainer(env.TRANSCODER as DurableObjectNamespace<Transcoder>, `slot-${slot}`);
  return container.fetch(new Request(`http://transcoder${path}`, init));
}

export type TakenTask = { slot: number; response: Response };

/**
 * Hands a task to the first free transcoder; "busy" when the whole fleet is working. With
 * `slot`, only that one is asked: a transcoder that just reported a task done has a free slot,
 * and asking it alone costs one request instead of a scan of the whole pool.
 */
export async function takeTask(env: TranscoderEnv, path: string, payload: unknown, opts: { slot?: number } = {}): Promise<TakenTask | "busy"> {
  const body = JSON.stringify(payload);
  const count = slotCount(env);
  const only = opts.slot !== undefined && opts.slot >= 0 && opts.slot < count ? opts.slot : undefined;
  const first = only ?? Math.floor(Math.random() * count);
  let unreachable: unknown = null;
  for (let i = 0; i < (only === undefined ? count : 1); i += 1) {
    const slot = (first + i) % count;
    let response: Response;
    try {
      response = await slotFetch(env, slot, path, body);
    } catch (error) {
      // A slot that cannot be reached (crashed, starting, no capacity to place it) is skipped.
      unreachable = error;
      continue;
    }
    if (response.status === 503) {
      await response.body?.cancel();
      continue;
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new Error(`transcoder slot ${slot} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    return { slot, response };
  }
  if (unreachable) console.warn("transcoder slots unreachable", unreachable instanceof Error ? unreachable.message : unreachable);
  return "busy";
}

/** Probes the source on any transcoder (probing takes no task slot). */
export async function probeSource(env: TranscoderEnv, videoId: string, sourceUrl: string): Promise<ProbeOutcome> {
  const body = JSON.stringify({ videoId, source: { url: sourceUrl } });
  const count = slotCount(env);
  const first = Math.floor(Math.random() * count);
  let lastError: unknown = null;
  for (let i = 0; i < count; i += 1) {
    try {
      const response = await slotFetch(env, (first + i) % count, "/probe", body);
      if (!response.ok) throw new Error(`probe answered ${response.status}`);
      return probeOutcomeSchema.parse(await response.json());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error("no transcoder reachable");
}
