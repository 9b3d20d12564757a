import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { notFound } from "../http/problem.ts";
import { canView, isOwner } from "./access.ts";
import { presentVideo } from "./present.ts";
import { findVideo } from "./queries.ts";
import { videoIdParam } from "./schemas.ts";
import { uploadRoutes } from "./upload-routes.ts";

export const videoRoutes = new Hono<AppEnv>();

videoRoutes.route("/", uploadRoutes);

videoRoutes.get("/:id", async (c) => {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, c.var.user)) throw notFound("No such video.");
  // Owners poll this while processing; never let a cache serve a stale status.
  c.header("cache-control", isOwner(video, c.var.user) || video.status !== "ready" ? "no-store" : "private, max-age=5");
  return c.json(presentVideo(video, c.env.PUBLIC_ORIGIN || new URL(c.req.url).origin));
});
