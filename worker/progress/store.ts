// Where signed-in viewers stopped (watch_progress): one row per viewer and video, overwritten by
// each save; the player batches saves (every ~10 s and on pagehide), so this is never per tick.
import { sql } from "drizzle-orm";
import { watchProgress } from "#db/community-schema.ts";
import { videoLikes, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export async function saveProgress(db: Database, userId: string, videoId: string, seconds: number): Promise<void> {
  await db
    .insert(watchProgress)
    .values({ userId, videoId, seconds })
    .onConflictDoUpdate({ target: [watchProgress.userId, watchProgress.videoId], set: { seconds, updatedAt: sql`now()` } });
}

/**
 * What GET /api/videos/:id adds for a signed-in caller: liked, and the saved position. Columns of
 * the video's own select (videos/queries.ts findVideoWith), so they cost no statement of their own.
 */
export const viewerStateColumns = (userId: string) => ({
  liked: sql<boolean>`exists (select 1 from ${videoLikes} where ${videoLikes.videoId} = ${videos.id} and ${videoLikes.userId} = ${userId})`,
  seconds: sql<number | null>`(select ${watchProgress.seconds} from ${watchProgress} where ${watchProgress.videoId} = ${videos.id} and ${watchProgress.userId} = ${userId})`,
});

export const viewerState = (row: Record<string, unknown>) => ({
  liked: !!row.liked,
  seconds: row.seconds == null ? null : Number(row.seconds),
});
