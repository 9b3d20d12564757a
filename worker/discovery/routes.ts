// GET /api/search: public videos (by their text or their creator's name) and, on the first page,
// matching creators.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { unprocessable } from "../http/problem.ts";
import { parseWith } from "../http/validate.ts";
import { videoPage } from "../videos/respond.ts";
import { decodeCursor, pageQuerySchema, scoreCursor } from "./pagination.ts";
import { creatorSearchQuery, searchVideos, toTsQuery } from "./search.ts";

const searchQuery = pageQuerySchema.extend({ q: z.string().trim().min(1, "Type something to search for.").max(200) });

export const searchRoutes = new Hono<AppEnv>();

searchRoutes.get("/", async (c) => {
  const { q, limit, cursor } = parseWith(searchQuery, c.req.query());
  const tsquery = toTsQuery(q);
  if (!tsquery) throw unprocessable("Search for at least one word or number.", [{ path: "q", message: "no searchable words" }]);
  const decoded = decodeCursor(cursor, scoreCursor);
  const [found, creatorRows] = await Promise.all([
    searchVideos(c.var.db, tsquery, limit, decoded),
    decoded ? Promise.resolve({ rows: [] }) : creatorSearchQuery(c.var.db, tsquery, 10),
  ]);
  const rank = new Map(found.map((r) => [r.video.id, r.rank]));
  const { items, nextCursor } = await videoPage(c, found.map((r) => r.video), limit, (v) => [rank.get(v.id)!, v.id]);
  return c.json({
    items,
    creators: creatorRows.rows.map((r) => ({ id: r.id, displayName: r.display_name, bio: r.bio, followerCount: Number(r.follower_count) })),
    nextCursor,
  });
});
