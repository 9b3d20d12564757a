// GET /c/:creatorId/rss: RSS 2.0 of a creator's latest public videos (never unlisted or private).
// The same for everyone, so shared caches may keep it for a few minutes.
import { Hono } from "hono";
import { creatorIdParam } from "#contract/api.ts";
import type { AppEnv } from "../context.ts";
import { databaseMiddleware } from "../db/middleware.ts";
import { notFound } from "../http/problem.ts";
import { findCreatorById } from "../creators/queries.ts";
import { listChannel } from "../discovery/list-queries.ts";
import { mediaBase, presentVideo } from "../videos/present.ts";
import { requestOrigin } from "../videos/respond.ts";
import { renderRss } from "./rss.ts";

/** Items in a feed: readers poll, they do not page. */
export const RSS_ITEMS = 50;
const RSS_MAX_AGE_SECONDS = 300;

export const rssRoutes = new Hono<AppEnv>();

// The middleware on the route only: this app is mounted at the root, beside the page renderer.
rssRoutes.get("/c/:creatorId/rss", databaseMiddleware, async (c) => {
  const id = creatorIdParam.safeParse(c.req.param("creatorId"));
  const creator = id.success ? await findCreatorById(c.var.db, id.data) : null;
  if (!creator) throw notFound("No such channel.");
  const origin = requestOrigin(c);
  const videos = await listChannel(c.var.db, creator.id, RSS_ITEMS, undefined, false);
  const items = await Promise.all(
    videos.map(async (video) => {
      const presented = presentVideo(video, await mediaBase(c.env, origin, video));
      const link = `${origin}/watch/${video.id}`;
      return {
        title: video.title,
        link,
        guid: link,
        description: video.description,
        pubDate: video.publishedAt ?? video.createdAt,
        imageUrl: presented.playback?.poster ?? null,
        imageKey: video.posterKey,
      };
    }),
  );
  const body = renderRss({
    title: creator.displayName,
    link: `${origin}/c/${creator.id}`,
    selfUrl: `${origin}/c/${creator.id}/rss`,
    description: creator.bio,
    items,
  });
  return c.body(body, 200, {
    "content-type": "application/rss+xml; charset=utf-8",
    "cache-control": `public, max-age=${RSS_MAX_AGE_SECONDS}`,
    "x-content-type-options": "nosniff",
  });
});
