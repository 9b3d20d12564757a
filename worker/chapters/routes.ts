// GET /api/videos/:id/chapters.vtt: the chapters parsed from the description (contract/chapters.ts)
// as a WebVTT chapters track, for the player's <track kind="chapters">. Whoever may see the video
// may read it (private: owner and admins; unlisted: by id; removed, deleted: 404), at any status.
// Anonymous copies are kept by the edge cache like the video itself (edge-cache/policy.ts).
import { Hono } from "hono";
import { parseChapters } from "#contract/chapters.ts";
import type { AppEnv } from "../context.ts";
import { visibleVideo } from "../comments/access.ts";
import { notFound } from "../http/problem.ts";
import { chaptersWebVtt } from "./track.ts";

export const chapterRoutes = new Hono<AppEnv>();

chapterRoutes.get("/videos/:id/chapters.vtt", async (c) => {
  const video = await visibleVideo(c, c.req.param("id"));
  // The same rule as the video's `chapters` field, so the track and the seek bar always agree.
  const chapters = parseChapters(video.description, video.durationSeconds);
  // 404 rather than an empty WEBVTT: the player adds the track only when `chapters` is non-empty,
  // so this answers a stale or guessed URL, and an empty track would still show up in
  // video.textTracks as a chapters track with no cues.
  if (chapters.length === 0) throw notFound("This video has no chapters.");
  // Like GET /api/videos/:id: a description edit shows at once to the browser (no-cache).
  c.header("cache-control", "private, no-cache");
  c.header("content-type", "text/vtt; charset=utf-8");
  return c.body(chaptersWebVtt(chapters, video.durationSeconds));
});
