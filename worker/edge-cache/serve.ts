// The edge cache in front of the whole Worker: anonymous public reads (policy.ts) are answered
// from cached copies — this isolate's own (memory.ts) or this data center's Cache API — HIT while
// fresh, STALE (refreshed in the background) until they expire, and everything else goes to the
// app. `x-cache` says which. When the refresh fails (database down), the stale copy keeps being
// served until it expires.
import { newNonce } from "../http/security-headers.ts";
import { currentGeneration } from "./generation.ts";
import { forget, recall, remember, type CopyData } from "./memory.ts";
import { FRESH_SECONDS, MAX_AGE_SECONDS, isCacheable, isStorable } from "./policy.ts";

type Origin = (request: Request) => Promise<Response>;

/** When the copy was stored (ms since the epoch); exported for tests that age a copy. */
export const STORED_AT = "x-edge-stored-at";
/** The generation the copy belongs to: one of another generation is not served (purge). */
const GENERATION = "x-edge-generation";
const ORIGIN_CACHE_CONTROL = "x-edge-cache-control";
/** The edge cache's own headers on a stored copy, never shown to clients. */
const INTERNAL = [STORED_AT, GENERATION, ORIGIN_CACHE_CONTROL];

/** Copies (generation and key) being refreshed by this isolate, so a burst of STALE hits refreshes once. */
const refreshing = new Set<string>();

/**
 * Misses this isolate is fetching from the origin, by generation and key: a burst of requests
 * for one cold page (a new video its followers were just told about) waits for the first one's
 * answer instead of each asking the database (request collapsing). Resolves to the copy as plain
 * data — a Response made in one request cannot be read in another — or null when the answer is
 * not for sharing (the others then ask the origin themselves).
 */
const fetching = new Map<string, Promise<CopyData | null>>();

/**
 * The key a request's copy is stored under. The generation is not part of it but a header of the
 * copy, so the copy and the current generation are looked up at once, not one after the other:
 * one Cache API lookup's latency off every hit (issue #12).
 */
export function edgeCacheKey(request: Request): Request {
  const url = new URL(request.url);
  url.searchParams.sort();
  return new Request(url.toString());
}

const header = (copy: CopyData, name: string) => copy.headers.find(([n]) => n === name)?.[1];
const ageMs = (copy: CopyData) => Date.now() - Number(header(copy, STORED_AT));

async function asData(response: Response): Promise<CopyData> {
  return { status: response.status, headers: [...response.headers], body: await response.arrayBuffer() };
}

/**
 * The copy of the current generation to answer from, if any: this isolate's own while it is
 * fresh (only the generation is looked up), else the data center's (both looked up at once).
 */
async function lookUp(key: Request, origin: string): Promise<{ generation: string; copy?: CopyData }> {
  const mine = recall(key.url);
  let generation: string;
  let cached: Response | undefined;
  if (mine && ageMs(mine) < FRESH_SECONDS * 1000) {
    generation = await currentGeneration(origin);
    if (header(mine, GENERATION) === generation) return { generation, copy: mine };
    cached = await caches.default.match(key);
  } else {
    [generation, cached] = await Promise.all([currentGeneration(origin), caches.default.match(key)]);
  }
  if (cached?.headers.get(GENERATION) === generation) {
    const copy = await asData(cached);
    remember(key.url, copy);
    return { generation, copy };
  }
  // None, or stored before the last purge.
  await cached?.body?.cancel();
  // The Cache API may have let go of a copy this isolate still holds: its age decides, as for any.
  if (mine && header(mine, GENERATION) === generation) return { generation, copy: mine };
  forget(key.url);
  return { generation };
}

/** The copy to store of an origin's answer: the edge cache's own headers added. */
function stored(response: Response, generation: string): Response {
  const copy = new Response(response.body, response);
  copy.headers.set(STORED_AT, String(Date.now()));
  copy.headers.set(GENERATION, generation);
  const cacheControl = response.headers.get("cache-control");
  if (cacheControl) copy.headers.set(ORIGIN_CACHE_CONTROL, cacheControl);
  // The Cache API drops the copy at MAX_AGE_SECONDS: no copy outlives the documented TTL.
  copy.headers.set("cache-control", `public, max-age=${MAX_AGE_SECONDS}`);
  copy.headers.delete("x-cache");
  return copy;
}

/** Keeps a copy in this isolate and in the data center's Cache API. */
async function keep(key: Request, copy: CopyData): Promise<void> {
  remember(key.url, copy);
  await caches.default.put(key, new Response(copy.body.slice(0), { status: copy.status, headers: copy.headers }));
}

/**
 * A cached copy as the client gets it: the app's own cache-control back, and a page's CSP nonce
 * replaced by a new one, so no two visitors share a nonce.
 */
function present(copy: CopyData, status: "HIT" | "STALE" | "MISS"): Response {
  const headers = new Headers(copy.headers);
  for (const name of [...INTERNAL, "cache-control"]) headers.delete(name);
  const cacheControl = header(copy, ORIGIN_CACHE_CONTROL);
  if (cacheControl) headers.set("cache-control", cacheControl);
  headers.set("x-cache", status);
  const csp = headers.get("content-security-policy");
  const old = csp && /'nonce-([^']+)'/.exec(csp)?.[1];
  if (!old) return new Response(copy.body.slice(0), { status: copy.status, headers });
  const nonce = newNonce();
  headers.set("content-security-policy", csp.replaceAll(old, nonce));
  const body = new TextDecoder().decode(copy.body).replaceAll(old, nonce);
  return new Response(body, { status: copy.status, headers });
}

function labelled(response: Response, status: "MISS" | "BYPASS"): Response {
  const copy = new Response(response.body, response);
  copy.headers.set("x-cache", status);
  return copy;
}

async function refresh(request: Request, key: Request, generation: string, origin: Origin): Promise<void> {
  const id = `${generation} ${key.url}`;
  if (refreshing.has(id)) return;
  refreshing.add(id);
  try {
    const response = await origin(request);
    if (isStorable(response)) {
      await keep(key, await asData(stored(response, generation)));
      return;
    }
    await response.body?.cancel();
    // Gone or hidden now: stop serving the old copy. Errors (5xx) keep it until it expires.
    if (response.status >= 500) return;
    forget(key.url);
    await caches.default.delete(key);
  } catch (err) {
    console.warn("edge cache refresh failed", err instanceof Error ? err.message : err);
  } finally {
    refreshing.delete(id);
  }
}

export async function serveWithEdgeCache(request: Request, ctx: ExecutionContext, origin: Origin): Promise<Response> {
  if (!isCacheable(request)) return origin(request);
  const key = edgeCacheKey(request);
  const { generation, copy } = await lookUp(key, new URL(key.url).origin);
  const age = copy ? ageMs(copy) : Infinity;
  // The Cache API drops copies at MAX_AGE_SECONDS; never serve one past it even if it has not.
  if (copy && age < MAX_AGE_SECONDS * 1000) {
    if (age < FRESH_SECONDS * 1000) return present(copy, "HIT");
    ctx.waitUntil(refresh(request.clone(), key, generation, origin));
    return present(copy, "STALE");
  }
  // Keyed by generation too: a request after a purge never shares an answer read before it.
  const id = `${generation} ${key.url}`;
  const pending = fetching.get(id);
  if (pending) {
    // Someone else's miss of the same key is on its way: share its answer (with a nonce of our own).
    const shared = await pending.catch(() => null);
    if (shared) return present(shared, "MISS");
  }
  return missFromOrigin(request, key, id, generation, ctx, origin);
}

/** Asks the origin; a storable answer is shared with the requests that collapsed onto this one, and kept. */
async function missFromOrigin(request: Request, key: Request, id: string, generation: string, ctx: ExecutionContext, origin: Origin): Promise<Response> {
  let settle!: (copy: CopyData | null) => void;
  const shared = new Promise<CopyData | null>((resolve) => (settle = resolve));
  const leading = !fetching.has(id);
  if (leading) fetching.set(id, shared);
  const share = (copy: CopyData | null) => {
    settle(copy);
    if (leading) fetching.delete(id);
  };
  let response: Response;
  try {
    response = await origin(request);
  } catch (err) {
    share(null);
    throw err;
  }
  if (!isStorable(response)) {
    share(null);
    return labelled(response, "BYPASS");
  }
  // This request streams its own answer; the copy is read whole once, shared and kept.
  ctx.waitUntil(
    asData(stored(response.clone(), generation)).then(
      async (copy) => {
        share(copy);
        await keep(key, copy).catch(() => {});
      },
      () => share(null),
    ),
  );
  return labelled(response, "MISS");
}
