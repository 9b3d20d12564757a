// Public listings. Every query is served by an index (tests/worker/explain.test.ts checks the
// plans on 100k videos): latest and channel by the partial indexes on published public videos,
// feed by a per-followed-creator lateral scan, trending by the partial index on trending_score.
import { and, desc, eq, sql, type Placeholder, type Query, type SQL } from "drizzle-orm";
import { follows, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { listedNow } from "./listed.ts";
import { listedFromArrays, listedVideos, selectListedVideosWithCreator, type ListedVideo } from "../videos/queries.ts";

// Public, published by now (scheduled ones wait for their time), not moderated: ./listed.ts.
const listed = listedNow("videos");

const before = (cursor?: [string, string]): SQL | undefined =>
  cursor ? sql`(${videos.publishedAt}, ${videos.id}) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)` : undefined;

export function latestQuery(db: Database, limit: number, cursor?: [string, string]) {
  return selectListedVideosWithCreator(db)
    .where(and(listed, before(cursor)))
    .orderBy(desc(videos.publishedAt), desc(videos.id))
    .limit(limit);
}

export async function listLatest(db: Database, limit: number, cursor?: [string, string]) {
  return listedVideos(await latestQuery(db, limit, cursor));
}

export function channelQuery(db: Database, creatorId: string, limit: number, cursor: [string, string] | undefined, includeUnlisted: boolean) {
  // The owner sees everything they have (any status, any visibility) in the order they made it.
  if (includeUnlisted) {
    const after = cursor ? sql`(${videos.createdAt}, ${videos.id}) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)` : undefined;
    return selectListedVideosWithCreator(db)
      .where(and(eq(videos.creatorId, creatorId), after))
      .orderBy(desc(videos.createdAt), desc(videos.id))
      .limit(limit);
  }
  return selectListedVideosWithCreator(db)
    .where(and(eq(videos.creatorId, creatorId), listed, before(cursor)))
    .orderBy(desc(videos.publishedAt), desc(videos.id))
    .limit(limit);
}

export async function listChannel(db: Database, creatorId: string, limit: number, cursor: [string, string] | undefined, includeUnlisted: boolean) {
  return listedVideos(await channelQuery(db, creatorId, limit, cursor, includeUnlisted));
}

/**
 * Newest videos of followed creators, one statement (ids and the rows they name in the same round
 * trip), in two steps. First each followed creator's newest listed video (one index probe each),
 * keeping the `limit` creators whose newest is newest: the page can hold nothing from any other,
 * since those `limit` creators already have `limit` videos at least as new as the newest of any
 * creator left out. Then at most `limit` rows from each kept creator, merged. A fan of 50 reads
 * 50 + 20 × 20 index entries instead of 50 × 20 (execution 2.1 → 1.5 ms on bench/api's data; a
 * fan of 500 would read 500 + 400 instead of 10,000). The creator's suspension is checked against
 * the creator's id (equal to v.creator_id there): once per creator, as a one-time filter of its
 * scan, instead of once per candidate video.
 */
export function feedQuery(db: Database, userId: string | Placeholder, limit: number | Placeholder, cursor?: [string | Placeholder, string | Placeholder]) {
  const cursorCond = cursor ? sql`and (v.published_at, v.id) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)` : sql``;
  const newestOf = (creatorId: SQL, take: SQL | number | Placeholder) => sql`
      select v.id, v.published_at from ${videos} v
      where v.creator_id = ${creatorId} and ${listedNow("v", creatorId)} ${cursorCond}
      order by v.published_at desc, v.id desc
      limit ${take}`;
  const kept = sql`
    select f.creator_id
    from ${follows} f
    cross join lateral (${newestOf(sql`f.creator_id`, sql`1`)}) newest
    where f.follower_id = ${userId}
    order by newest.published_at desc, newest.id desc
    limit ${limit}`;
  const newest = sql`
    select v.id
    from (${kept}) c
    cross join lateral (${newestOf(sql`c.creator_id`, limit)}) v
    order by v.published_at desc, v.id desc
    limit ${limit}`;
  return selectListedVideosWithCreator(db)
    .where(sql`${videos.id} in (${newest})`)
    .orderBy(desc(videos.publishedAt), desc(videos.id))
    .limit(limit);
}

// The feed's statement, built by drizzle once per isolate for each shape (first page, later
// page) with placeholders for the user, limit and cursor; each request runs it on its own
// connection with its values. Every signed-in feed request used to rebuild the same text
// (drizzle's query building and entity checks: ~5 % of the Worker's CPU per feed request,
// bench/api/profile.ts). Placeholders are bound as parameters, never spliced into the text.
const feedStatements: { first?: Query; later?: Query } = {};
const slot = sql.placeholder;

function feedStatement(db: Database, later: boolean): Query {
  const shape = later ? "later" : "first";
  return (feedStatements[shape] ??= feedQuery(db, slot("userId"), slot("limit"), later ? [slot("cursorAt"), slot("cursorId")] : undefined).toSQL());
}

export function listFeed(db: Database, userId: string, limit: number, cursor?: [string, string]): Promise<ListedVideo[]> {
  const values = cursor ? { userId, limit, cursorAt: cursor[0], cursorId: cursor[1] } : { userId, limit };
  const statement = db._.session.prepareQuery<{ execute: ListedVideo[]; all: unknown; values: unknown }>(
    feedStatement(db, cursor !== undefined), undefined, undefined, true, listedFromArrays);
  return statement.execute(values);
}

/** Trending: videos.trending_score (views of the last 7 days, decayed; see sweeps/trending.ts). */
export function trendingQuery(db: Database, limit: number, cursor?: [number, string]) {
  const after = cursor ? sql`(${videos.trendingScore}, ${videos.id}) < (${cursor[0]}::float8, ${cursor[1]}::uuid)` : undefined;
  return selectListedVideosWithCreator(db)
    .where(and(listed, sql`${videos.trendingScore} > 0`, after))
    .orderBy(desc(videos.trendingScore), desc(videos.id))
    .limit(limit);
}

export async function listTrending(db: Database, limit: number, cursor?: [number, string]) {
  return listedVideos(await trendingQuery(db, limit, cursor));
}
