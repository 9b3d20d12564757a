// Discovery: latest and trending, the following feed, channels, search, creator stats.
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { forbidden, notFound, unprocessable } from "../http/problem.ts";
import { parseWith } from "../http/validate.ts";
import { findCreatorById, findCreatorByUserId } from "../creators/queries.ts";
import type { VideoWithCreator } from "../videos/queries.ts";
import { videoJson } from "../videos/respond.ts";
import { videoIdParam } from "#contract/api.ts";
import { listChannel, listFeed, listLatest, listTrending } from "./list-queries.ts";
import { decodeCursor, encodeCursor, pageQuerySchema, scoreCursor, timeCursor } from "./pagination.ts";
import { creatorSearchQuery, searchVideos, toTsQuery } from "./search.ts";
import { creatorStats } from "./stats.ts";

const listQuery = pageQuerySchema.extend({ sort: z.enum(["latest", "trending"]).default("latest") });
const searchQuery = pageQuerySchema.extend({ q: z.string().trim().min(1, "Type something to search for.").max(200) });
const dateText = z.iso.date();
const statsQuery = z.object({ from: dateText.optional(), to: dateText.optional() });

const query = <T extends z.ZodType>(c: Context<AppEnv>, schema: T) => parseWith(schema, c.req.query());
const items = (c: Context<AppEnv>, list: VideoWithCreator[]) => Promise.all(list.map((v) => videoJson(c, v)));
const timeNext = (list: VideoWithCreator[], limit: number, key: "publishedAt" | "createdAt" = "publishedAt") => {
  const last = list.at(-1);
  return list.length === limit && last ? encodeCursor([last[key]!.toISOString(), last.id]) : null;
};

export const videoListRoutes = new Hono<AppEnv>();
videoListRoutes.get("/", async (c) => {
  const { sort, limit, cursor } = query(c, listQuery);
  if (sort === "trending") {
    const list = await listTrending(c.var.db, limit, decodeCursor(cursor, scoreCursor));
    const last = list.at(-1);
    return c.json({
      items: await items(c, list),
      nextCursor: list.length === limit && last ? encodeCursor([last.trendingScore, last.id]) : null,
    });
  }
  const list = await listLatest(c.var.db, limit, decodeCursor(cursor, timeCursor));
  return c.json({ items: await items(c, list), nextCursor: timeNext(list, limit) });
});

export const feedRoutes = new Hono<AppEnv>();
feedRoutes.get("/following", async (c) => {
  const user = requireUser(c);
  const { limit, cursor } = query(c, pageQuerySchema);
  const list = await listFeed(c.var.db, user.id, limit, decodeCursor(cursor, timeCursor));
  return c.json({ items: await items(c, list), nextCursor: timeNext(list, limit) });
});

export const channelRoutes = new Hono<AppEnv>();
channelRoutes.get("/:id/videos", async (c) => {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such creator.");
  const creator = await findCreatorById(c.var.db, id.data);
  if (!creator) throw notFound("No such creator.");
  const { limit, cursor } = query(c, pageQuerySchema);
  const everything = !!c.var.user && (c.var.user.id === creator.userId || c.var.user.role === "admin");
  const list = await listChannel(c.var.db, creator.id, limit, decodeCursor(cursor, timeCursor), everything);
  return c.json({ items: await items(c, list), nextCursor: timeNext(list, limit, everything ? "createdAt" : "publishedAt") });
});

export const searchRoutes = new Hono<AppEnv>();
searchRoutes.get("/", async (c) => {
  const { q, limit, cursor } = query(c, searchQuery);
  const tsquery = toTsQuery(q);
  if (!tsquery) throw unprocessable("Search for at least one word or number.", [{ path: "q", message: "no searchable words" }]);
  const decoded = decodeCursor(cursor, scoreCursor);
  const [found, creatorRows] = await Promise.all([
    searchVideos(c.var.db, tsquery, limit, decoded),
    decoded ? Promise.resolve({ rows: [] }) : creatorSearchQuery(c.var.db, tsquery, 10),
  ]);
  const last = found.at(-1);
  return c.json({
    items: await items(c, found.map((r) => r.video)),
    creators: creatorRows.rows.map((r) => ({ id: r.id, displayName: r.display_name, bio: r.bio, followerCount: Number(r.follower_count) })),
    nextCursor: found.length === limit && last ? encodeCursor([last.rank, last.video.id]) : null,
  });
});

export const statsRoutes = new Hono<AppEnv>();
statsRoutes.get("/stats", async (c) => {
  const user = requireUser(c);
  const creator = await findCreatorByUserId(c.var.db, user.id);
  if (!creator) throw forbidden("Only creators have analytics.");
  const input = query(c, statsQuery);
  const today = new Date().toISOString().slice(0, 10);
  const to = input.to ?? today;
  const from = input.from ?? new Date(Date.parse(to) - 27 * 86_400_000).toISOString().slice(0, 10);
  const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (span < 0) throw unprocessable("`from` must not be after `to`.", [{ path: "from", message: "after to" }]);
  if (span > 366) throw unprocessable("Ask for at most a year at a time.", [{ path: "from", message: "range too long" }]);
  return c.json(await creatorStats(c.var.db, creator.id, from, to));
});
