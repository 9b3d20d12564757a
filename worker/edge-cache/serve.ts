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
const ORIGIN_CACHE_CONTROL = "x-edge-cache-control";

/** Requests being refreshed by this isolate, so a burst of STALE hits refreshes once. */
const refreshing = new Set<string>();

/** The key a request's copy is stored under (the current generation included). */
export async function edgeCacheKey(request: Request): Promise<Request> {
  const url = new URL(request.url);
  url.searchParams.sort();
  url.searchParams.set("__edge_generation", await currentGeneration(url.origin));
  return new Request(url.toString());
}

function stored(response: Response): Response {
  const copy = new Response(response.body, response);
  copy.headers.set(STORED_AT, String(Date.now()));
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
async function present(copy: Response, status: "HIT" | "STALE"): Promise<Response> {
  const headers = new Headers(copy.headers);
  headers.delete(STORED_AT);
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

async function refresh(request: Request, key: Request, origin: Origin): Promise<void> {
  if (refreshing.has(key.url)) return;
  refreshing.add(key.url);
  try {
    const response = await origin(request);
    if (isStorable(response)) {
      await caches.default.put(key, stored(response));
      return;
    }
    await response.body?.cancel();
    // Gone or hidden now: stop serving the old copy. Errors (5xx) keep it until it expires.
    if (response.status < 500) await caches.default.delete(key);
  } catch (err) {
    console.warn("edge cache refresh failed", err instanceof Error ? err.message : err);
  } finally {
    refreshing.delete(key.url);
  }
}

export async function serveWithEdgeCache(request: Request, ctx: ExecutionContext, origin: Origin): Promise<Response> {
  if (!isCacheable(request)) return origin(request);
  const key = await edgeCacheKey(request);
  const copy = await caches.default.match(key);
  const ageMs = copy ? Date.now() - Number(copy.headers.get(STORED_AT)) : Infinity;
  // The Cache API drops copies at MAX_AGE_SECONDS; never serve one past it even if it has not.
  if (copy && ageMs < MAX_AGE_SECONDS * 1000) {
    if (ageMs < FRESH_SECONDS * 1000) return present(copy, "HIT");
    ctx.waitUntil(refresh(request.clone(), key, origin));
    return present(copy, "STALE");
  }
  await copy?.body?.cancel();
  const response = await origin(request);
  if (!isStorable(response)) return labelled(response, "BYPASS");
  ctx.waitUntil(caches.default.put(key, stored(response.clone())));
  return labelled(response, "MISS");
}
