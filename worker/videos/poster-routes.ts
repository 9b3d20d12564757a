// PUT /api/videos/:id/poster (owner) → 200 video. Either `{ frame: 1..4 }`: one of the generated
// candidates (`playback.thumbnails`, out with the early stills task) becomes the poster; or an
// image body (JPEG, PNG, WebP): decoded and re-encoded to a poster-sized JPEG (worker/posters),
// never stored as sent. Either way the poster is written under a new key, so the poster URL
// changes and no cache (browser, CDN, edge) keeps showing the old image; the previous chosen one
// is deleted. The transcode pipeline never replaces a chosen poster (worker/transcode/publish.ts).
import { Hono, type Context } from "hono";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { setPosterSchema, videoIdParam } from "#contract/api.ts";
import { mediaKeys, storedObjectMetadata, videoPrefix } from "#contract/media-layout.ts";
import { POSTER_IMAGE_MAX_BYTES, POSTER_IMAGE_TYPES } from "#contract/playback-extras.ts";
import { posterSize } from "#transcoder/images.ts";
import { videos } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { purgePublicReads } from "../edge-cache/purge.ts";
import { Problem, conflict, notFound, unprocessable } from "../http/problem.ts";
import { discardBody, parseWith, readJson, readLimitedBytes } from "../http/validate.ts";
import { reencodePoster } from "../posters/reencode.ts";
import { isOwner } from "./access.ts";
import { findVideo, type VideoWithCreator } from "./queries.ts";
import { videoJson } from "./respond.ts";

export const posterRoutes = new Hono<AppEnv>();

const tooLarge = `Poster images are at most ${POSTER_IMAGE_MAX_BYTES} bytes.`;

posterRoutes.put("/:id/poster", async (c) => {
  const user = requireUser(c);
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !isOwner(video, user)) throw notFound("No such video.");
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType.startsWith("image/")) return uploadedPoster(c, video, mediaType);

  const { frame } = parseWith(setPosterSchema, await readJson(c, z.unknown()), 422);
  const candidates = (video.thumbnailKeys ?? []).filter((k) => k.startsWith(videoPrefix(video.id)));
  if (candidates.length === 0) throw conflict("The poster candidates are not made yet: try again in a moment, or upload an image.");
  const source = candidates[frame - 1];
  if (!source) throw unprocessable(`This video has ${candidates.length} candidates.`, [{ path: "frame", message: `at most ${candidates.length}` }]);
  const object = await c.env.MEDIA.get(source);
  if (!object) throw conflict("That candidate is no longer stored.");
  return choosePoster(c, video, object.body);
});

async function uploadedPoster(c: Context<AppEnv>, video: VideoWithCreator, mediaType: string): Promise<Response> {
  if (!(POSTER_IMAGE_TYPES as readonly string[]).includes(mediaType)) {
    await discardBody(c.req.raw);
    throw new Problem({ status: 415, detail: `Poster images are ${POSTER_IMAGE_TYPES.join(", ")}.` });
  }
  if (Number(c.req.header("content-length") ?? "0") > POSTER_IMAGE_MAX_BYTES) {
    await discardBody(c.req.raw);
    throw new Problem({ status: 413, detail: tooLarge });
  }
  const bytes = await readLimitedBytes(c.req.raw, POSTER_IMAGE_MAX_BYTES, tooLarge);
  if (bytes.byteLength === 0) throw unprocessable("Send the image as the request body.", [{ path: "(body)", message: "empty" }]);
  // The generated poster's size once the video is probed (its plan), else the image's own aspect.
  const jpeg = await reencodePoster(bytes, (width, height) => video.plan?.images.poster ?? posterSize(width, height));
  return choosePoster(c, video, jpeg);
}

/** Stores the new poster under a fresh key, points the video at it and drops the previous chosen one. */
async function choosePoster(c: Context<AppEnv>, video: VideoWithCreator, body: ReadableStream | Uint8Array): Promise<Response> {
  const keys = mediaKeys(video.id);
  const key = keys.chosenPoster(crypto.randomUUID());
  await c.env.MEDIA.put(key, body, { httpMetadata: storedObjectMetadata(key) });
  // The row is locked so two choices at once each delete the poster they replaced, not the same one.
  const previous = await c.var.db.transaction(async (tx) => {
    const [row] = await tx.select({ posterKey: videos.posterKey }).from(videos).where(eq(videos.id, video.id)).for("update");
    if (!row) return undefined;
    await tx.update(videos).set({ posterKey: key, updatedAt: sql`now()` }).where(eq(videos.id, video.id));
    return row.posterKey;
  });
  // The video was deleted meanwhile: the copy goes too.
  if (previous === undefined) {
    await c.env.MEDIA.delete(key);
    throw notFound("No such video.");
  }
  if (previous?.startsWith(keys.chosenPosterPrefix)) await c.env.MEDIA.delete(previous);
  // Cached home/watch pages and lists show the old poster URL: drop this data center's copies.
  await purgePublicReads(c.req.url);
  return c.json(await videoJson(c, (await findVideo(c.var.db, video.id))!));
}
