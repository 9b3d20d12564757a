// Recomputes trending scores: each of the last 7 days' views weighs half as much every 2 days.
// New views bump the score at once (views consumer); this keeps the decay exact.
import { sql } from "drizzle-orm";
import type { Database } from "../db/connection.ts";

export async function refreshTrending(db: Database): Promise<void> {
  await db.execute(sql`
    with scores as (
      select video_id, sum(views * power(0.5, (current_date - day) / 2.0))::float8 as score
      from video_daily_views where day >= current_date - 7 group by video_id
    ),
    changed as (
      update videos v set trending_score = s.score from scores s
      where v.id = s.video_id and v.trending_score is distinct from s.score
      returning v.id
    )
    update videos v set trending_score = 0
    where v.trending_score > 0 and not exists (select 1 from scores s where s.video_id = v.id)
  `);
}
