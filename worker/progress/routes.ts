// PUT /api/me/progress/:videoId { seconds } → 204: the signed-in viewer's position in a video they
// can see. The video then carries `resumeAt` for them (GET /api/videos/:id, videos/routes.ts).
import { Hono } from "hono";
import { z } from "zod";
import { progressSchema, videoIdParam } from "#contract/api.ts";
import { progressCeiling } from "#contract/playback-extras.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { notFound, unprocessable } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { canView } from "../videos/access.ts";
import { findVideo } from "../videos/queries.ts";
import { saveProgress } from "./store.ts";

export const progressRoutes = new Hono<AppEnv>();

progressRoutes.put("/:videoId", async (c) => {
  const user = requireUser(c);
  const id = videoIdParam.safeParse(c.req.param("videoId"));
  if (!id.success) throw notFound("No such video.");
  // A well-formed body with a value out of range is 422, like other content the person sends.
  const { seconds } = parseWith(progressSchema, await readJson(c, z.unknown()), 422);
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, user)) throw notFound("No such video.");
  const ceiling = progressCeiling(video.durationSeconds);
  if (seconds > ceiling) throw unprocessable("The position is past the end of the video.", [{ path: "seconds", message: `at most ${ceiling}` }]);
  await saveProgress(c.var.db, user.id, video.id, seconds);
  c.header("cache-control", "no-store");
  return c.body(null, 204);
});
