// The captions table: one row per video and language, pointing at the stored WebVTT.
import { and, asc, count, eq, sql } from "drizzle-orm";
import { captions } from "#db/community-schema.ts";
import type { Database } from "../db/connection.ts";

export type CaptionRow = typeof captions.$inferSelect;

export function listCaptions(db: Database, videoId: string): Promise<CaptionRow[]> {
  return db.select().from(captions).where(eq(captions.videoId, videoId)).orderBy(asc(captions.lang));
}

export async function countCaptions(db: Database, videoId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(captions).where(eq(captions.videoId, videoId));
  return Number(row?.n ?? 0);
}

/**
 * Inserts or replaces the language's track; returns whether it replaced one and the key it had
 * (whose objects the caller deletes). Null when the video is gone (deleted meanwhile).
 */
export async function upsertCaption(
  db: Database,
  row: { videoId: string; lang: string; label: string; key: string; cueCount: number },
): Promise<{ replaced: boolean; previousKey: string | null } | null> {
  const result = await db.execute<{ previous_key: string | null; inserted: boolean }>(sql`
    with previous as (
      select key from ${captions} where video_id = ${row.videoId} and lang = ${row.lang}
    )
    insert into ${captions} (video_id, lang, label, key, cue_count, updated_at)
    select ${row.videoId}, ${row.lang}, ${row.label}, ${row.key}, ${row.cueCount}, now()
    where exists (select 1 from videos where id = ${row.videoId})
    on conflict (video_id, lang) do update
      set label = excluded.label, key = excluded.key, cue_count = excluded.cue_count, updated_at = now()
    returning (select key from previous) as previous_key, (xmax = 0) as inserted`);
  const first = result.rows[0];
  if (!first) return null;
  return { replaced: !first.inserted, previousKey: first.previous_key };
}

/** Deletes the language's track; returns its storage key, or null when there was none. */
export async function deleteCaption(db: Database, videoId: string, lang: string): Promise<string | null> {
  const [row] = await db
    .delete(captions)
    .where(and(eq(captions.videoId, videoId), eq(captions.lang, lang)))
    .returning({ key: captions.key });
  return row?.key ?? null;
}
