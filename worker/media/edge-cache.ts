// This Worker's Cache API copy of public media objects. The cache is only a copy of bytes, never
// the authority on whether they may be served: every hit is checked against storage first (one
// R2 `head` of the object, run alongside the private-marker check), and served only when the
// object still exists with the same ETag. So a deleted, re-encoded or withdrawn video stops
// being served from every data center's cache at once, whichever colo wrote the copy and
// whether or not a purge reached it. Decision: docs/decisions/0009-media-cache-and-withdrawal.md.
import { EDGE_CACHE_SECONDS, cacheControlFor, mediaCacheTag } from "#contract/media-layout.ts";

/** The cache key of a media object: its unsigned URL on this host (never a signed one). */
export function edgeCacheKey(origin: string, key: string): Request {
  return new Request(new URL(`/media/${key}`, origin).toString(), { method: "GET" });
}

/**
 * A cached copy of `key`, if there is one and storage still holds the same bytes (`current` is
 * storage's `head` of the key, fetched by the caller in parallel). A stale copy is dropped.
 */
export async function validatedHit(
  cacheKey: Request,
  key: string,
  cached: Response | undefined,
  current: R2Object | null,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Response | null> {
  if (!cached) return null;
  if (!current || cached.headers.get("etag") !== current.httpEtag) {
    waitUntil(caches.default.delete(cacheKey));
    await cached.body?.cancel();
    return null;
  }
  // The stored copy carries the edge lifetime; the client gets the public policy.
  const response = new Response(cached.body, cached);
  response.headers.set("cache-control", cacheControlFor(key));
  response.headers.delete("cache-tag");
  return response;
}

/** Stores a copy of a full 200 response and returns the response to send. */
export function storeCopy(cacheKey: Request, videoId: string, response: Response, waitUntil: (p: Promise<unknown>) => void): Response {
  if (!response.body) return response;
  const [forClient, forCache] = response.body.tee();
  const copy = new Response(forCache, response);
  copy.headers.set("cache-control", `public, s-maxage=${EDGE_CACHE_SECONDS}`);
  // Lets production purge a video's copies globally by tag (docs/security.md).
  copy.headers.set("cache-tag", mediaCacheTag(videoId));
  waitUntil(caches.default.put(cacheKey, copy));
  return new Response(forClient, response);
}
