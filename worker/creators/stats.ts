// Creator analytics from the daily aggregates: totals, views per day (zero-filled) and per video.
import { sql } from "drizzle-orm";
import type { Database } from "../db/connection.ts";

export async function creatorStats(db: Database, creatorId: string, from: string, to: string) {
  const days = await db.execute<{ date: string; views: number }>(sql`
    select to_char(g.day, 'YYYY-MM-DD') as date, coalesce(sum(d.views), 0)::int as views
    from generate_series(${from}::date, ${to}::date, interval '1 day') as g(day)
    left join video_daily_views d
      on d.day = g.day::date and d.video_id in (select id from videos where creator_id = ${creatorId})
    group by g.day order by g.day
  `);
  const perVideo = await db.execute<{ id: string; title: string; views: number; total_views: number }>(sql`
    select v.id, v.title, coalesce(sum(d.views), 0)::int as views, v.view_count::int as total_views
    from videos v
    left join video_daily_views d on d.video_id = v.id and d.day between ${from}::date and ${to}::date
    where v.creator_id = ${creatorId}
    group by v.id
    order by views desc, v.created_at desc
    limit 500
  `);
  const dayRows = days.rows.map((r) => ({ date: r.date, views: Number(r.views) }));
  return {
    from,
    to,
    totals: {
      views: dayRows.reduce((sum, d) => sum + d.views, 0),
      allTimeViews: perVideo.rows.reduce((sum, v) => sum + Number(v.total_views), 0),
      videos: perVideo.rows.length,
    },
    days: dayRows,
    videos: perVideo.rows.map((v) => ({ id: v.id, title: v.title, views: Number(v.views), totalViews: Number(v.total_views) })),
  };
}
