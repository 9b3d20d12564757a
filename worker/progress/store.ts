// Where signed-in viewers stopped (watch_progress): one row per viewer and video, overwritten by
// each save; the player batches saves (every ~10 s and on pagehide), so this is never per tick.
import { sql } from "drizzle-orm";
import { watchProgress } from "#db/community-schema.ts";
import { videoLikes } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export async function saveProgress(db: Database, userId: string, videoId: string, seconds: number): Promise<void> {
  await db
    .insert(watchProgress)
    .values({ userId, videoId, seconds })
    .onConflictDoUpdate({ target: [watchProgress.userId, watchProgress.videoId], set: { seconds, updatedAt: sql`now()` } });
}

/** What GET /api/videos/:id adds for a signed-in caller, in one round trip: liked, and the saved position. */
export async function viewerState(db: Database, userId: string, videoId: string): Promise<{ liked: boolean; seconds: number | null }> {
  const result = await db.execute<{ liked: boolean; seconds: number | null }>(sql`
    select exists (select 1 from ${videoLikes} where video_id = ${videoId} and user_id = ${userId}) as liked,
           (select seconds from ${watchProgress} where video_id = ${videoId} and user_id = ${userId}) as seconds`);
  const row = result.rows[0];
  return { liked: !!row?.liked, seconds: row?.seconds == null ? null : Number(row.seconds) };
}
