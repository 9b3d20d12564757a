// Full-text search over titles, descriptions (videos.search) and creator names (creators.search),
// with GIN indexes on both. Every word must match; the last one also as a prefix, so results
// appear while the person is still typing.
import { desc, eq, sql } from "drizzle-orm";
import { creators, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { listedNow } from "./listed.ts";
import { creatorColumns } from "../videos/queries.ts";

const MAX_WORDS = 8;

/** Builds a to_tsquery string from free text, keeping only letters and digits of each word. */
export function toTsQuery(text: string): string | null {
  const words = text
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_WORDS);
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(" & ");
}

/** Public videos matching the query with their creators and rank, best first: one statement. */
export function videoSearchQuery(db: Database, tsquery: string, limit: number, cursor?: [number, string]) {
  const cursorCond = cursor ? sql`where (r.rank, r.id) < (${cursor[0]}::float4, ${cursor[1]}::uuid)` : sql``;
  // Videos match on their own text or on their creator's name; both sides use a GIN index.
  const ranked = sql`(
    with q as (select to_tsquery('simple', ${tsquery}) as query),
    matched as (
      select v.id, ts_rank(v.search, q.query) as rank
      from ${videos} v, q
      where v.search @@ q.query and ${listedNow("v")}
      union all
      select v.id, 0.5 * ts_rank(c.search, q.query) as rank
      from ${creators} c cross join q
      join ${videos} v on v.creator_id = c.id and ${listedNow("v")}
      where c.search @@ q.query
    ),
    r as (select id, max(rank)::float4 as rank from matched group by id)
    select r.id, r.rank from r
    ${cursorCond}
    order by r.rank desc, r.id desc
    limit ${limit}
  ) as ranked`;
  return db
    .select({ video: videos, creator: creatorColumns, rank: sql<number>`ranked.rank` })
    .from(videos)
    .innerJoin(creators, eq(creators.id, videos.creatorId))
    .innerJoin(ranked, sql`ranked.id = ${videos.id}`)
    .orderBy(sql`ranked.rank desc`, desc(videos.id));
}

export async function searchVideos(db: Database, tsquery: string, limit: number, cursor?: [number, string]) {
  const rows = await videoSearchQuery(db, tsquery, limit, cursor);
  return rows.map((r) => ({ video: { ...r.video, creator: r.creator }, rank: Number(r.rank) }));
}

export function creatorSearchQuery(db: Database, tsquery: string, limit: number) {
  return db.execute<{ id: string; display_name: string; bio: string; follower_count: number }>(sql`
    select c.id, c.display_name, c.bio, c.follower_count
    from ${creators} c, to_tsquery('simple', ${tsquery}) q
    where c.search @@ q
      and not exists (select 1 from users su where su.id = c.user_id and su.suspended_at is not null)
    order by ts_rank(c.search, q) desc, c.follower_count desc, c.id desc
    limit ${limit}
  `);
}
