// Deleting a video's media so that nothing of it is served again and nothing written late by a
// task still running survives. A task may still upload for up to LATE_WRITE_HORIZON_SECONDS after
// the deletion (its lease, task-lease.ts), so deletion leaves two things behind: the private
// marker in state "withdrawn", which keeps every URL of the video (signed ones too) answering
// 404, and a tombstone the sweep (sweeps/deleted-media.ts) uses to empty the prefix again until
// the horizon has passed; then it removes the marker and the tombstone too.
import { LATE_WRITE_HORIZON_SECONDS } from "#transcoder/chunks/task-lease.ts";
import { MARKER_METADATA, deletionKey, mediaKeys, sourceKey, type MarkerState } from "#contract/media-layout.ts";
import { deletePrefix } from "../storage/prefix.ts";

/** What the private marker says about serving (null: no marker, the video is public or unlisted). */
export function markerState(marker: R2Object | null): MarkerState | null {
  if (!marker) return null;
  return marker.customMetadata?.[MARKER_METADATA.state] === "withdrawn" ? "withdrawn" : "private";
}

/** Removes a deleted video's media and fences off late writes; returns the keys it deleted. */
export async function withdrawVideoMedia(bucket: R2Bucket, videoId: string, now: Date = new Date()): Promise<string[]> {
  const keys = mediaKeys(videoId);
  const purgeAfter = new Date(now.getTime() + LATE_WRITE_HORIZON_SECONDS * 1000).toISOString();
  // The tombstone first: if this request dies half-way, the sweep finishes the job.
  await bucket.put(deletionKey(videoId), "", { customMetadata: { [MARKER_METADATA.purgeAfter]: purgeAfter } });
  await bucket.put(keys.privateMarker, "", { customMetadata: { [MARKER_METADATA.state]: "withdrawn" satisfies MarkerState } });
  const [deleted] = await Promise.all([
    deletePrefix(bucket, keys.prefix, (key) => key !== keys.privateMarker),
    bucket.delete(sourceKey(videoId)),
  ]);
  return deleted;
}
