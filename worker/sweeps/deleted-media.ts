// Deleted videos' prefixes, emptied again on every sweep until no task of the video can still
// write (the tombstone's purgeAfter, media/withdraw.ts); then the marker and the tombstone go too.
import { DELETIONS_PREFIX, MARKER_METADATA, mediaKeys } from "#contract/media-layout.ts";
import { deletePrefix } from "../storage/prefix.ts";

export async function sweepDeletedMedia(bucket: R2Bucket, now: Date = new Date()): Promise<{ emptied: number; finished: number }> {
  let emptied = 0;
  let finished = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: DELETIONS_PREFIX, cursor, limit: 1000, include: ["customMetadata"] });
    for (const tombstone of page.objects) {
      const videoId = tombstone.key.slice(DELETIONS_PREFIX.length);
      const keys = mediaKeys(videoId);
      const purgeAfter = Date.parse(tombstone.customMetadata?.[MARKER_METADATA.purgeAfter] ?? "");
      const done = !(purgeAfter > now.getTime()); // a tombstone without a valid time is finished
      // Late writes are removed as soon as a sweep sees them; the marker stays until the end.
      const late = await deletePrefix(bucket, keys.prefix, (key) => key !== keys.privateMarker);
      if (late.length) emptied++;
      if (done) {
        await bucket.delete(keys.privateMarker);
        await bucket.delete(tombstone.key);
        finished++;
      }
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return { emptied, finished };
}
