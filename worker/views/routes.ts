// POST /api/videos/:id/views { watchedSeconds, viewToken } → 202. Counting happens in the views
// consumer; here a report is rate-limited per address, its token checked (right video, unexpired,
// issued long enough ago for the watch time claimed) and the viewer keyed by account or address.
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { clientAddress, limitViewReports } from "../auth/rate-limits.ts";
import { notFound } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";
import { canView } from "../videos/access.ts";
import { findVideo } from "../videos/queries.ts";
import { videoIdParam } from "#contract/api.ts";
import { reportViewSchema, type ViewMessage } from "./messages.ts";
import { checkViewToken } from "./view-token.ts";
import { countsAsView, hourBucket, viewerKey } from "./viewer-key.ts";

export const viewRoutes = new Hono<AppEnv>();

viewRoutes.post("/:id/views", async (c) => {
  const address = clientAddress(c);
  await limitViewReports(c.env, address);
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const input = await readJson(c, reportViewSchema);
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, c.var.user) || !video.playable) throw notFound("No such video.");
  if (input.viewToken === undefined) return c.json({ accepted: true, counted: false }, 202);
  await checkViewToken(c.env.VIEWER_HASH_SECRET, input.viewToken, video.id, input.watchedSeconds);
  const counted = countsAsView(input.watchedSeconds, video.durationSeconds);
  if (counted) {
    const message: ViewMessage = {
      videoId: video.id,
      viewerKey: await viewerKey(c.env.VIEWER_HASH_SECRET, c.var.user, address),
      hour: hourBucket(new Date()).toISOString(),
      watchedSeconds: input.watchedSeconds,
    };
    await c.env.VIEWS_QUEUE.send(message);
  }
  return c.json({ accepted: true, counted }, 202);
});
