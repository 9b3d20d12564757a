// Follows. The follow row and creators.follower_count change in one statement, so the counter
// can never drift: a repeated PUT inserts nothing and therefore counts nothing.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { creators, follows } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { decodeCursor, encodeCursor } from "../discovery/pagination.ts";
import { publicVideoCount, type CreatorRow } from "./queries.ts";

/** Returns true if a new follow was recorded (false when it already existed). */
export async function follow(db: Database, userId: string, creatorId: string): Promise<boolean> {
  const result = await db.execute(sql`
    with inserted as (
      insert into ${follows} (follower_id, creator_id) values (${userId}, ${creatorId})
      on conflict do nothing
      returning creator_id
    )
    update ${creators} set follower_count = follower_count + 1
    where id in (select creator_id from inserted)`);
  return (result.rowCount ?? 0) > 0;
}

/** Returns true if a follow was removed (false when there was none). */
export async function unfollow(db: Database, userId: string, creatorId: string): Promise<boolean> {
  const result = await db.execute(sql`
    with deleted as (
      delete from ${follows} where follower_id = ${userId} and creator_id = ${creatorId}
      returning creator_id
    )
    update ${creators} set follower_count = greatest(follower_count - 1, 0)
    where id in (select creator_id from deleted)`);
  return (result.rowCount ?? 0) > 0;
}

const followingCursor = z.strictObject({
  // Microsecond-precision UTC timestamp as Postgres wrote it, so no row is skipped or repeated.
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  id: z.uuid(),
});

export type FollowedCreator = CreatorRow & { followedAt: Date; videoCount: number };

/**
 * The creators a user follows, most recently followed first. Keyset pagination on
 * (follows.created_at, creator_id), served by follows_follower_created_idx.
 */
export async function listFollowing(
  db: Database,
  userId: string,
  page: { cursor?: string; limit: number },
): Promise<{ items: FollowedCreator[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor, followingCursor) : null;
  const sortKey = sql<string>`to_char(${follows.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const rows = await db
    .select({ creator: creators, followedAt: follows.createdAt, sortKey, videoCount: publicVideoCount })
    .from(follows)
    .innerJoin(creators, sql`${creators.id} = ${follows.creatorId}`)
    .where(
      after
        ? sql`${follows.followerId} = ${userId} and (${follows.createdAt}, ${follows.creatorId}) < (${after.t}::timestamptz, ${after.id}::uuid)`
        : sql`${follows.followerId} = ${userId}`,
    )
    .orderBy(sql`${follows.createdAt} desc, ${follows.creatorId} desc`)
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map((r) => ({ ...r.creator, followedAt: r.followedAt, videoCount: Number(r.videoCount) })),
    nextCursor: more && last ? encodeCursor({ t: last.sortKey, id: last.creator.id }) : null,
  };
}
