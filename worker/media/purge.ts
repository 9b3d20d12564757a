// Drops this data center's cached copies of a video's media when it is deleted or made private.
// Not what keeps withdrawn media from being served — every cache hit is checked against storage
// and the private marker (edge-cache.ts) — but it frees the copies at once instead of leaving
// them to expire. Other data centers' copies are never served either (same check) and expire
// by themselves; production can also purge them by the video's Cache-Tag (docs/security.md).
import { videoPrefix } from "#contract/media-layout.ts";
import { edgeCacheKey } from "./edge-cache.ts";

/** The keys stored under a video's prefix (listed before they are deleted). */
export async function listVideoKeys(bucket: R2Bucket, videoId: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: videoPrefix(videoId), cursor, limit: 1000 });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** Deletes this colo's cached copy of each key (served under `origin`). */
export async function purgeCachedMedia(origin: string, keys: string[]): Promise<void> {
  await Promise.all(keys.map((key) => caches.default.delete(edgeCacheKey(origin, key))));
}
