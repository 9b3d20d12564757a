// GET /oembed?url=&maxwidth=&maxheight=&format=json → oEmbed 1.0 JSON (type "video") for a watch
// or embed URL of ours: 400 for a URL that is not ours, 404 for an unknown or private video (the
// same answer, so private videos do not leak), 501 for any format but JSON. Public and unlisted
// videos are embeddable (an unlisted one only by whoever already has its link).
import { Hono } from "hono";
import { oembedQuerySchema, videoIdParam, type OEmbed } from "#contract/api.ts";
import { embedPath, embedSize, iframeHtml } from "#contract/playback-extras.ts";
import type { AppEnv } from "../context.ts";
import { databaseMiddleware } from "../db/middleware.ts";
import { Problem, badRequest, notFound } from "../http/problem.ts";
import { apiSecurityHeaders } from "../http/security-headers.ts";
import { parseWith } from "../http/validate.ts";
import { findVideo } from "../videos/queries.ts";
import { requestOrigin, videoJson } from "../videos/respond.ts";
import { isEmbeddable } from "./embeddable.ts";

export const PROVIDER_NAME = "Edge Video";
const OEMBED_MAX_AGE_SECONDS = 60;

/** The video id of one of our watch or embed URLs (on one of `origins`), or null when the URL is not ours. */
export function videoIdFromUrl(value: string, origins: string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (!origins.includes(url.origin)) return null;
  const match = /^\/(?:watch|embed)\/([^/]+)\/?$/.exec(url.pathname);
  // No percent-decoding: an id is plain hex and dashes (and a malformed escape must not throw).
  const id = match ? videoIdParam.safeParse(match[1]) : null;
  return id?.success ? id.data : null;
}

export const oembedRoutes = new Hono<AppEnv>();

oembedRoutes.get("/oembed", apiSecurityHeaders, databaseMiddleware, async (c) => {
  const query = parseWith(oembedQuerySchema, c.req.query());
  if (query.format !== undefined && query.format !== "json") {
    throw new Problem({ status: 501, detail: "Only the JSON format is offered." });
  }
  const origin = requestOrigin(c);
  // Our public origin, and the one this request came to (the page links its own origin).
  const id = videoIdFromUrl(query.url, [origin, new URL(c.req.url).origin]);
  if (!id) throw badRequest(`Give the URL of a video on ${origin} (/watch/<id>).`, [{ path: "url", message: "not a video URL of this site" }]);
  const video = await findVideo(c.var.db, id);
  if (!video || !isEmbeddable(video)) throw notFound("No such video.");

  const presented = await videoJson(c, video);
  const size = embedSize(video, { width: query.maxwidth, height: query.maxheight });
  const poster = presented.playback?.poster;
  const body: OEmbed = {
    version: "1.0",
    type: "video",
    title: video.title,
    author_name: video.creator.displayName,
    author_url: `${origin}/c/${video.creator.id}`,
    provider_name: PROVIDER_NAME,
    provider_url: `${origin}/`,
    ...(poster && video.width && video.height ? { thumbnail_url: poster, thumbnail_width: video.width, thumbnail_height: video.height } : {}),
    html: iframeHtml(origin + embedPath(video.id), video.title, size),
    width: size.width,
    height: size.height,
  };
  c.header("cache-control", `public, max-age=${OEMBED_MAX_AGE_SECONDS}`);
  // Consumers may ask from a browser (it is public data about public or linked videos).
  c.header("access-control-allow-origin", "*");
  return c.json(body);
});
