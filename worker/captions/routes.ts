// Captions (API.md "Playback extras"):
//   PUT    /api/videos/:id/captions/:lang?label=   (owner) WebVTT or SRT, ≤ 1 MiB → 201 new, 200 replaced
//   DELETE /api/videos/:id/captions/:lang          (owner or admin) → 204
//   GET    /api/videos/:id/captions                (whoever may see the video) → [{ lang, label, url }]
// Each upload is checked and sanitised (webvtt.ts), stored as WebVTT under a new version key
// with its HLS subtitle playlist; the master playlist lists it when served (decision 0012).
// Works at any status, also while the video is still uploading or processing.
import { Hono, type Context } from "hono";
import { captionLangParam, captionQuerySchema, type Caption } from "#contract/captions.ts";
import { videoIdParam } from "#contract/api.ts";
import { CAPTION_MAX_BYTES, CAPTION_TRACKS_MAX } from "#contract/limits.ts";
import { CAPTION_METADATA, captionKeys, captionPlaylistKeyOf, relativeToVideo, storedObjectMetadata } from "#contract/media-layout.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { visibleVideo } from "../comments/access.ts";
import { Problem, conflict, notFound, unprocessable } from "../http/problem.ts";
import { discardBody, parseWith } from "../http/validate.ts";
import { isOwner } from "../videos/access.ts";
import { mediaBase } from "../videos/present.ts";
import { findVideo, type VideoWithCreator } from "../videos/queries.ts";
import { renderSubtitlePlaylist } from "./hls.ts";
import { readCaptionBody } from "./read-body.ts";
import { deleteCaption, countCaptions, listCaptions, upsertCaption, type CaptionRow } from "./store.ts";
import { parseCaptions, serialiseWebVtt } from "./webvtt.ts";

export const captionRoutes = new Hono<AppEnv>();

async function videoFor(c: Context<AppEnv>, allowAdmin: boolean): Promise<VideoWithCreator> {
  const user = requireUser(c);
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !(isOwner(video, user) || (allowAdmin && user.role === "admin"))) throw notFound("No such video.");
  return video;
}

const langOf = (c: Context<AppEnv>) => parseWith(captionLangParam, c.req.param("lang"), 422);

async function present(c: Context<AppEnv>, video: VideoWithCreator, rows: Pick<CaptionRow, "lang" | "label" | "key">[]): Promise<Caption[]> {
  const base = await mediaBase(c.env, new URL(c.req.url).origin, video);
  return rows.map((r) => ({ lang: r.lang, label: r.label, url: base + relativeToVideo(video.id, r.key) }));
}

captionRoutes.get("/videos/:id/captions", async (c) => {
  const video = await visibleVideo(c, c.req.param("id"));
  c.header("cache-control", "private, no-cache");
  return c.json(await present(c, video, await listCaptions(c.var.db, video.id)));
});

captionRoutes.put("/videos/:id/captions/:lang", async (c) => {
  const video = await videoFor(c, false).catch(async (error: unknown) => {
    await discardBody(c.req.raw);
    throw error;
  });
  const lang = langOf(c);
  const { label } = parseWith(captionQuerySchema, { label: c.req.query("label") }, 422);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > CAPTION_MAX_BYTES) {
    await discardBody(c.req.raw);
    throw new Problem({ status: 413, detail: `Caption files are at most ${CAPTION_MAX_BYTES} bytes.` });
  }
  const text = await readCaptionBody(c.req.raw, CAPTION_MAX_BYTES);
  const parsed = parseCaptions(text);
  if (!parsed.ok) throw unprocessable("The captions are not valid WebVTT or SRT.", parsed.errors);
  const existing = await listCaptions(c.var.db, video.id);
  if (!existing.some((r) => r.lang === lang) && (await countCaptions(c.var.db, video.id)) >= CAPTION_TRACKS_MAX) {
    throw conflict(`A video has at most ${CAPTION_TRACKS_MAX} caption languages.`);
  }

  const version = crypto.randomUUID().replace(/-/g, "").slice(0, 16);
  const keys = captionKeys(video.id, lang, version);
  const trackLabel = label ?? lang;
  const lastEnd = parsed.cues.reduce((max, cue) => Math.max(max, cue.end), 0);
  const duration = Math.max(video.durationSeconds ?? 0, lastEnd);
  // The WebVTT first, then the playlist that the master lists (so it never points at nothing).
  await c.env.MEDIA.put(keys.vtt, serialiseWebVtt(parsed.cues), { httpMetadata: storedObjectMetadata(keys.vtt) });
  await c.env.MEDIA.put(keys.playlist, renderSubtitlePlaylist(`${version}.vtt`, duration), {
    httpMetadata: storedObjectMetadata(keys.playlist),
    customMetadata: { [CAPTION_METADATA.lang]: lang, [CAPTION_METADATA.label]: encodeURIComponent(trackLabel) },
  });
  const saved = await upsertCaption(c.var.db, { videoId: video.id, lang, label: trackLabel, key: keys.vtt, cueCount: parsed.cues.length });
  if (!saved) {
    await c.env.MEDIA.delete([keys.playlist, keys.vtt]);
    throw notFound("No such video.");
  }
  if (saved.previousKey && saved.previousKey !== keys.vtt) {
    await c.env.MEDIA.delete([captionPlaylistKeyOf(saved.previousKey), saved.previousKey]);
  }
  const [caption] = await present(c, video, [{ lang, label: trackLabel, key: keys.vtt }]);
  return c.json(caption, saved.replaced ? 200 : 201);
});

captionRoutes.delete("/videos/:id/captions/:lang", async (c) => {
  const video = await videoFor(c, true);
  const lang = langOf(c);
  const key = await deleteCaption(c.var.db, video.id, lang);
  if (!key) throw notFound("This video has no captions in that language.");
  await c.env.MEDIA.delete([captionPlaylistKeyOf(key), key]);
  return c.body(null, 204);
});
