// /api/videos: the public listings (latest, trending), one video, owner edits and deletion; the
// upload flow and view reports are mounted here too.
import { Hono, type Context } from "hono";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { mediaKeys, sourceKey } from "#contract/media-layout.ts";
import { videos } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { notFound } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { listLatest, listTrending } from "../discovery/list-queries.ts";
import { decodeCursor, pageQuerySchema, scoreCursor, timeCursor } from "../discovery/pagination.ts";
import { listVideoKeys, purgeCachedMedia } from "../media/purge.ts";
import { withdrawVideoMedia } from "../media/withdraw.ts";
import { abortMultipartUpload } from "../storage/multipart.ts";
import { viewRoutes } from "../views/routes.ts";
import { issueViewToken } from "../views/view-token.ts";
import { purgePublicReads } from "../edge-cache/purge.ts";
import { canView, isOwner } from "./access.ts";
import { findVideo, findVideoWith } from "./queries.ts";
import { byPublished, videoJson, videoPage } from "./respond.ts";
import { updateVideoSchema, videoIdParam } from "#contract/api.ts";
import { uploadRoutes } from "./upload-routes.ts";
import { viewerState, viewerStateColumns } from "../progress/store.ts";
import { resumePoint } from "#contract/playback-extras.ts";
import { posterRoutes } from "./poster-routes.ts";
import { enqueueNewVideoNotifications } from "../notifications/enqueue.ts";
import { acceptedPublishAt, publishedAtAfterSchedule } from "./schedule.ts";
import { requestDownload, stopDownloads } from "../downloads/tasks.ts";

export const videoRoutes = new Hono<AppEnv>();

videoRoutes.route("/", uploadRoutes);
videoRoutes.route("/", viewRoutes);
videoRoutes.route("/", posterRoutes);

const listQuery = pageQuerySchema.extend({ sort: z.enum(["latest", "trending"]).default("latest") });

// Public videos only, newest first or by trending score.
videoRoutes.get("/", async (c) => {
  const { sort, limit, cursor } = parseWith(listQuery, c.req.query());
  if (sort === "trending") {
    const list = await listTrending(c.var.db, limit, decodeCursor(cursor, scoreCursor));
    return c.json(await videoPage(c, list, limit, (v) => [v.trendingScore, v.id]));
  }
  const list = await listLatest(c.var.db, limit, decodeCursor(cursor, timeCursor));
  return c.json(await videoPage(c, list, limit, byPublished));
});

async function visibleVideo(c: Context<AppEnv>) {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, c.var.user)) throw notFound("No such video.");
  return video;
}

videoRoutes.get("/:id", async (c) => {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  // The signed-in caller's state of the video comes with it: one statement either way.
  const user = c.var.user;
  const found = await findVideoWith(c.var.db, id.data, user ? viewerStateColumns(user.id) : {});
  if (!found || !canView(found.video, user)) throw notFound("No such video.");
  const video = found.video;
  // Owners poll this while processing; never let a cache serve a stale status.
  c.header("cache-control", "private, no-cache");
  // A playable video carries the token its player sends back with the view report.
  const viewToken = video.playable ? await issueViewToken(c.env.VIEWER_HASH_SECRET, video.id) : undefined;
  // Signed-in callers bypass the edge cache (edge-cache/policy.ts), so `liked` and `resumeAt`
  // are never shared.
  const mine = user ? viewerState(found.extra) : undefined;
  const resumeAt = mine ? resumePoint(mine.seconds, video.durationSeconds) : undefined;
  return c.json({ ...(await videoJson(c, video)), liked: mine?.liked, resumeAt, viewToken });
});

videoRoutes.patch("/:id", async (c) => {
  const user = requireUser(c);
  const video = await visibleVideo(c);
  if (!isOwner(video, user)) throw notFound("No such video.");
  const { publishAt: requested, ...input } = await readJson(c, updateVideoSchema);
  const publishAt = acceptedPublishAt(requested, input.visibility ?? video.visibility);
  if (input.visibility && input.visibility !== video.visibility) {
    // Media access follows at once: the marker decides whether unsigned URLs are served.
    if (input.visibility === "private") {
      await c.env.MEDIA.put(mediaKeys(video.id).privateMarker, "");
      // Unsigned URLs already answer 404 (the marker is checked before the cache); this frees the copies.
      c.executionCtx.waitUntil(listVideoKeys(c.env.MEDIA, video.id).then((keys) => purgeCachedMedia(new URL(c.req.url).origin, keys)));
    } else await c.env.MEDIA.delete(mediaKeys(video.id).privateMarker);
  }
  const schedule = publishAt === undefined ? {} : { publishAt, publishedAt: publishedAtAfterSchedule(publishAt) };
  await c.var.db
    .update(videos)
    .set({ ...input, ...schedule, updatedAt: sql`now()` })
    .where(eq(videos.id, video.id));
  const updated = (await findVideo(c.var.db, video.id))!;
  // A playable video made public, or given a new time, is (re)announced: each follower is told
  // once, ever (the consumer's insert ignores anyone it already told), never before publishAt,
  // and a message still waiting for an old time stops when it finds the time changed.
  const rescheduled = publishAt !== undefined && publishAt?.getTime() !== video.publishAt?.getTime();
  if (updated.visibility === "public" && updated.playable && (video.visibility !== "public" || rescheduled)) {
    await enqueueNewVideoNotifications(c.env, video.id);
  }
  // The MP4 is made once (again, if its task was given up); turning downloads off removes it.
  if (input.downloadable === true) await requestDownload(c.env, c.var.db, video.id);
  if (input.downloadable === false && video.downloadable) await stopDownloads(c.env, c.var.db, video.id);
  // Cached lists and pages show the old title/visibility/schedule: drop this data center's copies now.
  await purgePublicReads(c.req.url);
  return c.json(await videoJson(c, updated));
});

videoRoutes.delete("/:id", async (c) => {
  const user = requireUser(c);
  const video = await visibleVideo(c);
  if (!isOwner(video, user) && user.role !== "admin") throw notFound("No such video.");
  // Hide it first, then stop work on it, then remove its media.
  await c.var.db.delete(videos).where(and(eq(videos.id, video.id)));
  await purgePublicReads(c.req.url);
  // Tasks still running find their rows gone when they finish and delete what they wrote.
  if (video.status === "uploading" && video.uploadId) {
    await abortMultipartUpload(c.env, sourceKey(video.id), video.uploadId).catch((err) => console.warn("abort failed", err));
  }
  // Nothing of it is served from here on; late writes of running tasks are swept (withdraw.ts).
  const deleted = await withdrawVideoMedia(c.env.MEDIA, video.id);
  c.executionCtx.waitUntil(purgeCachedMedia(new URL(c.req.url).origin, deleted));
  return c.body(null, 204);
});
