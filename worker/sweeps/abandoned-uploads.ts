// Uploads nobody finished within a day: abort the multipart upload (storage frees the parts) and
// remove the row.
import { and, eq, lt, sql } from "drizzle-orm";
import { sourceKey } from "#contract/media-layout.ts";
import { videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { abortMultipartUpload } from "../storage/multipart.ts";

export const ABANDONED_AFTER_SECONDS = 24 * 60 * 60;

export async function sweepAbandonedUploads(env: Env, db: Database, olderThanSeconds = ABANDONED_AFTER_SECONDS): Promise<number> {
  const stale = await db
    .select({ id: videos.id, uploadId: videos.uploadId })
    .from(videos)
    .where(and(eq(videos.status, "uploading"), lt(videos.createdAt, sql`now() - make_interval(secs => ${olderThanSeconds})`)))
    .limit(100);
  let removed = 0;
  for (const video of stale) {
    try {
      if (video.uploadId) await abortMultipartUpload(env, sourceKey(video.id), video.uploadId);
    } catch (err) {
      console.warn("could not abort abandoned upload", video.id, err);
      continue; // try again on the next sweep rather than orphaning stored parts
    }
    await db.delete(videos).where(and(eq(videos.id, video.id), eq(videos.status, "uploading")));
    removed++;
  }
  return removed;
}
