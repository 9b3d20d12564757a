// GET /api/feed/following: the newest public videos of the creators the signed-in user follows.
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { listFeed } from "../discovery/list-queries.ts";
import { decodeCursor, pageQuerySchema, timeCursor } from "../discovery/pagination.ts";
import { parseWith } from "../http/validate.ts";
import { byPublished, videoPage } from "../videos/respond.ts";

export const feedRoutes = new Hono<AppEnv>();

feedRoutes.get("/following", async (c) => {
  const user = requireUser(c);
  const { limit, cursor } = parseWith(pageQuerySchema, c.req.query());
  const list = await listFeed(c.var.db, user.id, limit, decodeCursor(cursor, timeCursor));
  return c.json(await videoPage(c, list, limit, byPublished));
});
