// POST /api/videos/:id/views { watchedSeconds } → 202. Counting happens in the views consumer.
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { notFound } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";
import { canView } from "../videos/access.ts";
import { findVideo } from "../videos/queries.ts";
import { videoIdParam } from "#contract/api.ts";
import { reportViewSchema, type ViewMessage } from "./messages.ts";
import { countsAsView, hourBucket, viewerKey } from "./viewer-key.ts";

export const viewRoutes = new Hono<AppEnv>();

viewRoutes.post("/:id/views", async (c) => {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const input = await readJson(c, reportViewSchema);
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, c.var.user) || !video.playable) throw notFound("No such video.");
  const counted = countsAsView(input.watchedSeconds, video.durationSeconds);
  if (counted) {
    const message: ViewMessage = {
      videoId: video.id,
      viewerKey: await viewerKey(
        c.env.VIEWER_HASH_SECRET,
        c.var.user,
        c.req.header("cf-connecting-ip") ?? "unknown",
        c.req.header("user-agent") ?? "",
      ),
      hour: hourBucket(new Date()).toISOString(),
      watchedSeconds: input.watchedSeconds,
    };
    await c.env.VIEWS_QUEUE.send(message);
  }
  return c.json({ accepted: true, counted }, 202);
});
