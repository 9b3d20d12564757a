// PUT /api/videos/:id/poster { frame: 1..4 } (owner) → 200 video: one of the generated candidates
// (`playback.thumbnails`) becomes the poster. The candidate is copied to a new key, so the poster
// URL changes and no cache (browser, CDN, edge) can keep showing the old image; the previous
// chosen copy is deleted. Candidates exist once the video is ready (the transcoder lists them
// then and sets the generated poster, which would overwrite an earlier choice).
import { Hono } from "hono";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { setPosterSchema, videoIdParam } from "#contract/api.ts";
import { mediaKeys, storedObjectMetadata, videoPrefix } from "#contract/media-layout.ts";
import { videos } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { purgePublicReads } from "../edge-cache/purge.ts";
import { Problem, conflict, notFound, unprocessable } from "../http/problem.ts";
import { discardBody, parseWith, readJson } from "../http/validate.ts";
import { isOwner } from "./access.ts";
import { findVideo } from "./queries.ts";
import { videoJson } from "./respond.ts";

export const posterRoutes = new Hono<AppEnv>();

const chosenPosterPrefix = (videoId: string) => `${videoPrefix(videoId)}posters/`;

posterRoutes.put("/:id/poster", async (c) => {
  const user = requireUser(c);
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !isOwner(video, user)) throw notFound("No such video.");
  if (/^image\//i.test(c.req.header("content-type") ?? "")) {
    // API.md allows an uploaded image too; this deployment takes only the generated candidates.
    await discardBody(c.req.raw);
    throw new Problem({ status: 415, detail: "Pick one of the generated candidates with { frame }: image uploads are not accepted yet." });
  }
  const { frame } = parseWith(setPosterSchema, await readJson(c, z.unknown()), 422);
  const candidates = video.status === "ready" ? (video.thumbnailKeys ?? []).filter((k) => k.startsWith(videoPrefix(video.id))) : [];
  if (candidates.length === 0) throw conflict("The poster candidates are made with the video: try again once it is ready.");
  const source = candidates[frame - 1];
  if (!source) throw unprocessable(`This video has ${candidates.length} candidates.`, [{ path: "frame", message: `at most ${candidates.length}` }]);

  const object = await c.env.MEDIA.get(source);
  if (!object) throw conflict("That candidate is no longer stored.");
  const key = mediaKeys(video.id).chosenPoster(crypto.randomUUID());
  await c.env.MEDIA.put(key, object.body, { httpMetadata: storedObjectMetadata(key) });
  // The video may have been deleted meanwhile: then the copy goes too.
  const updated = await c.var.db
    .update(videos)
    .set({ posterKey: key, updatedAt: sql`now()` })
    .where(eq(videos.id, video.id))
    .returning({ id: videos.id });
  if (updated.length === 0) {
    await c.env.MEDIA.delete(key);
    throw notFound("No such video.");
  }
  const previous = video.posterKey;
  if (previous?.startsWith(chosenPosterPrefix(video.id))) await c.env.MEDIA.delete(previous);
  // Cached home/watch pages and lists show the old poster URL: drop this data center's copies.
  await purgePublicReads(c.req.url);
  return c.json(await videoJson(c, (await findVideo(c.var.db, video.id))!));
});
