// GET /media/videos/<id>/<path> (public and unlisted) and
// GET /media/s/<expires>.<sig>/videos/<id>/<path> (private, signed): objects straight from R2
// with Range, ETag/304, cache headers and CORS. No database query on this path: a private
// video is recognised by a marker object under its prefix.
import { Hono } from "hono";
import { cacheControlFor, contentTypeFor, mediaKeys, parseServedKey } from "#contract/media-layout.ts";
import type { AppEnv } from "../context.ts";
import { problemResponse } from "../http/problem.ts";
import { verifyMediaPrefix } from "./signing.ts";

export const mediaRoutes = new Hono<AppEnv>();

// An optional signed prefix, then the object's key (which keys are served: parseServedKey).
const signedPrefix = /^s\/([^/]+)\/(.*)$/;

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "Range, If-None-Match, If-Modified-Since",
  "access-control-expose-headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
  "access-control-max-age": "86400",
};

const notFound = () => withCors(problemResponse({ status: 404, detail: "No such media." }));

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
  return response;
}

mediaRoutes.options("/*", () => new Response(null, { status: 204, headers: corsHeaders }));

mediaRoutes.on(["GET", "HEAD"], "/*", async (c) => {
  const path = c.req.path.replace(/^\/media\//, "");
  const signed = signedPrefix.exec(path);
  const token = signed?.[1];
  const key = signed ? signed[2]! : path;
  const served = parseServedKey(key);
  if (!served) return notFound();
  const { videoId } = served;

  let signedUntil: number | undefined;
  if (token) {
    const check = await verifyMediaPrefix(c.env.MEDIA_SIGNING_SECRET, videoId, token);
    if (check !== "ok") {
      return withCors(problemResponse({ status: 403, detail: check === "expired" ? "This media link has expired." : "This media link is not valid." }));
    }
    signedUntil = Number(token.split(".")[0]);
  } else if (await c.env.MEDIA.head(mediaKeys(videoId).privateMarker)) {
    // A public-looking URL for a private video.
    return notFound();
  }

  const isPlaylist = key.endsWith(".m3u8");
  const cacheable = !signedUntil && !isPlaylist && c.req.method === "GET" && !c.req.header("range") && !c.req.header("if-none-match");
  // Edge cache for immutable public objects; the privacy check above still runs on every request.
  const cacheKey = new Request(new URL(c.req.path, c.req.url).toString(), { method: "GET" });
  if (cacheable) {
    const hit = await caches.default.match(cacheKey);
    if (hit) return hit;
  }

  // Playlists are read whole (they are tiny and their body decides their cache lifetime).
  const object = await c.env.MEDIA.get(key, { range: isPlaylist ? undefined : c.req.raw.headers, onlyIf: c.req.raw.headers });
  if (!object) return notFound();
  const headers = new Headers(corsHeaders);
  headers.set("content-type", contentTypeFor(key));
  headers.set("etag", object.httpEtag);
  headers.set("last-modified", object.uploaded.toUTCString());
  headers.set("accept-ranges", "bytes");
  headers.set("x-content-type-options", "nosniff");
  if (!("body" in object)) {
    headers.set("cache-control", cacheControlFor(key, { signedUntil }));
    return new Response(null, { status: 304, headers });
  }

  let body: ReadableStream | string | null = object.body;
  let playlistEnded = false;
  if (isPlaylist) {
    // Read whole to know whether the playlist is still growing.
    const text = await object.text();
    playlistEnded = text.includes("#EXT-X-ENDLIST");
    body = text;
  }
  headers.set("cache-control", cacheControlFor(key, { playlistEnded, signedUntil }));

  const range = object.range as { offset?: number; length?: number } | undefined;
  if (range && c.req.header("range") && typeof body !== "string") {
    const offset = range.offset ?? 0;
    const length = range.length ?? object.size - offset;
    headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("content-length", String(length));
    return new Response(c.req.method === "HEAD" ? null : body, { status: 206, headers });
  }
  if (typeof body !== "string") headers.set("content-length", String(object.size));
  const response = new Response(c.req.method === "HEAD" ? null : body, { status: 200, headers });
  if (cacheable) {
    const [forClient, forCache] = response.body!.tee();
    c.executionCtx.waitUntil(caches.default.put(cacheKey, new Response(forCache, response)));
    return new Response(forClient, response);
  }
  return response;
});
