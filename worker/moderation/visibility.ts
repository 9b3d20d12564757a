// What moderation hides from the public: a video an admin removed (videos.removed_at) and every
// video of a suspended account (users.suspended_at). Part of discovery/listed.ts, the one
// predicate of every public list (latest, trending, channel, feed, search, RSS), so none of them
// can forget it; single videos go through videos/access.ts canView.
import { sql, type SQL } from "drizzle-orm";
import { creators, users } from "#db/schema.ts";

/** `alias` is how the query names the videos table ("videos", or "v" in the raw statements). */
export function notModerated(alias: "videos" | "v", creatorId: SQL = sql`${sql.raw(alias)}.creator_id`): SQL {
  const v = sql.raw(alias);
  return sql`${v}.removed_at is null and not exists (
    select 1 from ${creators} sc join ${users} su on su.id = sc.user_id
    where sc.id = ${creatorId} and su.suspended_at is not null)`;
}

/** For a select that joins creators: whether the creator's account is suspended. */
export const creatorSuspended = sql<boolean>`exists (select 1 from ${users} su where su.id = ${creators.userId} and su.suspended_at is not null)`;
