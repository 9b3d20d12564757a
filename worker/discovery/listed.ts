// "Listed now": the one predicate every public list uses — latest, trending, a channel, the
// following feed, search, RSS and a channel's videoCount — so none can show what another hides.
// A video is listed while it is public, not moderated (moderation/visibility.ts), and its
// published_at (when it first became playable, or its publishAt if that is later:
// videos/schedule.ts) has come. The comparison is with now(), so a scheduled video appears at
// its time on its own, with no write: cached lists (edge-cache/policy.ts) show it within their
// TTL. `published_at <= now()` also keeps the lists on their partial indexes on published_at.
import { sql, type SQL } from "drizzle-orm";
import { notModerated } from "../moderation/visibility.ts";

/**
 * `alias` is how the query names the videos table ("videos", or "v" in the raw statements).
 * `creatorId`: an expression the query knows to equal the video's creator_id, when checking the
 * creator's suspension against it lets Postgres do that once per creator instead of once per
 * video (the feed's per-followed-creator scan: list-queries.ts).
 */
export function listedNow(alias: "videos" | "v", creatorId?: SQL): SQL {
  const v = sql.raw(alias);
  return sql`${v}.visibility = 'public' and ${v}.published_at is not null and ${v}.published_at <= now() and ${notModerated(alias, creatorId)}`;
}
