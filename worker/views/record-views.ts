// Writes a batch of views in one statement: insert with per-viewer-per-video-per-hour dedupe,
// then bump the video counters and the daily aggregates from exactly the rows that went in, so a
// redelivered batch counts nothing twice.
import { sql } from "drizzle-orm";
import type { Database } from "../db/connection.ts";
import type { ViewMessage } from "./messages.ts";

export async function recordViews(db: Database, batch: ViewMessage[]): Promise<number> {
  if (batch.length === 0) return 0;
  const payload = JSON.stringify(
    batch.map((v) => ({ video_id: v.videoId, viewer_key: v.viewerKey, hour: v.hour, watched_seconds: v.watchedSeconds })),
  );
  const result = await db.execute<{ inserted: number }>(sql`
    with input as (
      select distinct on (x.video_id, x.viewer_key, x.hour) x.*
      from jsonb_to_recordset(${payload}::jsonb) as x(video_id uuid, viewer_key text, hour timestamptz, watched_seconds real)
      where exists (select 1 from videos v where v.id = x.video_id)
    ),
    ins as (
      insert into views (video_id, viewer_key, hour, watched_seconds)
      select video_id, viewer_key, hour, watched_seconds from input
      on conflict (video_id, viewer_key, hour) do nothing
      returning video_id, hour
    ),
    per_video as (select video_id, count(*)::int as n from ins group by video_id),
    bump as (
      update videos v set view_count = v.view_count + p.n, trending_score = v.trending_score + p.n from per_video p where v.id = p.video_id returning v.id
    ),
    daily as (
      insert into video_daily_views (video_id, day, views)
      select video_id, (hour at time zone 'UTC')::date, count(*)::int from ins group by 1, 2
      on conflict (video_id, day) do update set views = video_daily_views.views + excluded.views
      returning 1
    )
    select (select count(*) from ins)::int as inserted, (select count(*) from bump) as b, (select count(*) from daily) as d
  `);
  return Number(result.rows[0]?.inserted ?? 0);
}
