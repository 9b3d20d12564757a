// The edge cache in front of the whole Worker: anonymous public reads (policy.ts) are answered
// from this data center's Cache API — HIT while fresh, STALE (refreshed in the background) until
// they expire — and everything else goes to the app. `x-cache` says which. When the refresh
// fails (database down), the stale copy keeps being served until it expires.
import { newNonce } from "../http/security-headers.ts";
import { currentGeneration } from "./generation.ts";
import { FRESH_SECONDS, MAX_AGE_SECONDS, isCacheable, isStorable } from "./policy.ts";

type Origin = (request: Request) => Promise<Response>;

/** When the copy was stored (ms since the epoch); exported for tests that age a copy. */
export const STORED_AT = "x-edge-stored-at";
/** The generation the copy belongs to: one of another generation is not served (purge). */
const GENERATION = "x-edge-generation";
const ORIGIN_CACHE_CONTROL = "x-edge-cache-control";

/** Copies (generation and key) being refreshed by this isolate, so a burst of STALE hits refreshes once. */
const refreshing = new Set<string>();

/**
 * Misses this isolate is fetching from the origin, by key: a burst of requests for one cold page
 * (a new video its followers were just told about) waits for the first one's answer instead of
 * each asking the database (request collapsing). Resolves to the stored copy as plain data — a
 * Response or stream made in one request cannot be read in another — or null when the answer is
 * not for sharing (the others then ask the origin themselves).
 */
type SharedCopy = { status: number; headers: [string, string][]; body: ArrayBuffer };
const fetching = new Map<string, Promise<SharedCopy | null>>();

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

/** A stored copy of the current generation, or undefined. */
async function lookUp(key: Request, origin: string): Promise<{ generation: string; copy: Response | undefined }> {
  const [generation, copy] = await Promise.all([currentGeneration(origin), caches.default.match(key)]);
  if (!copy || copy.headers.get(GENERATION) === generation) return { generation, copy };
  // Stored before the last purge.
  await copy.body?.cancel();
  return { generation, copy: undefined };
}

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

/**
 * A cached copy as the client gets it: the app's own cache-control back, and a page's CSP nonce
 * replaced by a new one, so no two visitors share a nonce.
 */
async function present(copy: Response, status: "HIT" | "STALE" | "MISS"): Promise<Response> {
  const headers = new Headers(copy.headers);
  headers.delete(STORED_AT);
  headers.delete(GENERATION);
  headers.delete(ORIGIN_CACHE_CONTROL);
  headers.delete("cache-control");
  const cacheControl = copy.headers.get(ORIGIN_CACHE_CONTROL);
  if (cacheControl) headers.set("cache-control", cacheControl);
  headers.set("x-cache", status);
  const csp = headers.get("content-security-policy");
  const old = csp && /'nonce-([^']+)'/.exec(csp)?.[1];
  if (!old) return new Response(copy.body, { status: copy.status, headers });
  const nonce = newNonce();
  headers.set("content-security-policy", csp.replaceAll(old, nonce));
  const body = (await copy.text()).replaceAll(old, nonce);
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
      await caches.default.put(key, stored(response, generation));
      return;
    }
    await response.body?.cancel();
    // Gone or hidden now: stop serving the old copy. Errors (5xx) keep it until it expires.
    if (response.status < 500) await caches.default.delete(key);
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
  const ageMs = copy ? Date.now() - Number(copy.headers.get(STORED_AT)) : Infinity;
  // The Cache API drops copies at MAX_AGE_SECONDS; never serve one past it even if it has not.
  if (copy && ageMs < MAX_AGE_SECONDS * 1000) {
    if (ageMs < FRESH_SECONDS * 1000) return present(copy, "HIT");
    ctx.waitUntil(refresh(request.clone(), key, generation, origin));
    return present(copy, "STALE");
  }
  await copy?.body?.cancel();
  // Keyed by generation too: a request after a purge never shares an answer read before it.
  const id = `${generation} ${key.url}`;
  const pending = fetching.get(id);
  if (pending) {
    // Someone else's miss of the same key is on its way: share its answer (with a nonce of our own).
    const shared = await pending.catch(() => null);
    if (shared) return present(new Response(shared.body.slice(0), { status: shared.status, headers: shared.headers }), "MISS");
  }
  return missFromOrigin(request, key, id, generation, ctx, origin);
}

/** Asks the origin; a storable answer is stored and handed to the requests that collapsed onto this one. */
async function missFromOrigin(request: Request, key: Request, id: string, generation: string, ctx: ExecutionContext, origin: Origin): Promise<Response> {
  let settle!: (copy: SharedCopy | null) => void;
  const shared = new Promise<SharedCopy | null>((resolve) => (settle = resolve));
  const leading = !fetching.has(id);
  if (leading) fetching.set(id, shared);
  const share = (copy: SharedCopy | null) => {
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
  // This request streams its own answer; the copy is read whole once, stored and shared.
  const copy = stored(response.clone(), generation);
  ctx.waitUntil(
    copy.arrayBuffer().then(
      async (body) => {
        await caches.default.put(key, new Response(body, copy)).catch(() => {});
        share({ status: copy.status, headers: [...copy.headers], body });
      },
      () => share(null),
    ),
  );
  return labelled(response, "MISS");
}
