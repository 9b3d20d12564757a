// GET /media/videos/<id>/<path> (public and unlisted) and
// GET /media/s/<expires>.<sig>/videos/<id>/<path> (private, signed): objects straight from R2
// with Range, ETag/304, cache headers and CORS. No database query on this path: a private
// video is recognised by a marker object under its prefix, a deleted one by its objects being gone.
import { Hono } from "hono";
import { MASTER_NAME, cacheControlFor, contentTypeFor, isDownloadPath, mediaKeys, parseServedKey } from "#contract/media-layout.ts";
import type { AppEnv } from "../context.ts";
import { problemResponse } from "../http/problem.ts";
import { isUnsatisfiableRangeError, parseRange } from "./byte-range.ts";
import { edgeCacheKey, storeCopy, validatedHit } from "./edge-cache.ts";
import { addSubtitlesGroup, etagMatches, servedMasterEtag, storedSubtitleTracks } from "./master-captions.ts";
import { downloadName } from "./download-name.ts";
import { requestedKey } from "./request-key.ts";
import { verifyMediaPrefix } from "./signing.ts";
import { markerState } from "./withdraw.ts";

export const mediaRoutes = new Hono<AppEnv>();


const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "Range, If-None-Match, If-Modified-Since, If-Range",
  "access-control-expose-headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
  "access-control-max-age": "86400",
};

const notFound = () => withCors(problemResponse({ status: 404, detail: "No such media." }));

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
  return response;
}

mediaRoutes.options("/*", () => new Response(null, { status: 204, headers: corsHeaders }));
mediaRoutes.use("/*", downloadName);

/** If-Range (RFC 9110 §13.1.5): the range applies only while the validator still matches. */
function ifRangeHolds(header: string | undefined, object: R2Object): boolean {
  if (header === undefined) return true;
  if (header.startsWith('"')) return header === object.httpEtag;
  return header === object.uploaded.toUTCString();
}

/**
 * 416 for a range that lies wholly outside the object (RFC 9110 §15.5.17); null when If-Range no
 * longer matches, so the range is ignored and the whole object sent.
 */
async function unsatisfiable(bucket: R2Bucket, key: string, ifRange: string | undefined): Promise<Response | null> {
  const head = await bucket.head(key);
  if (!head) return notFound();
  if (!ifRangeHolds(ifRange, head)) return null;
  const response = withCors(problemResponse({ status: 416, detail: `The requested range is not within the ${head.size} bytes of this object.` }));
  response.headers.set("content-range", `bytes */${head.size}`);
  response.headers.set("accept-ranges", "bytes");
  return response;
}

mediaRoutes.on(["GET", "HEAD"], "/*", async (c) => {
  const { key, token } = requestedKey(c.req.path);
  const served = parseServedKey(key);
  if (!served) return notFound();
  const { videoId } = served;
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);

  let signedUntil: number | undefined;
  if (token) {
    const check = await verifyMediaPrefix(c.env.MEDIA_SIGNING_SECRET, videoId, token);
    if (check !== "ok") {
      return withCors(problemResponse({ status: 403, detail: check === "expired" ? "This media link has expired." : "This media link is not valid." }));
    }
    signedUntil = Number(token.split(".")[0]);
  }

  const isPlaylist = key.endsWith(".m3u8");
  const rangeHeader = c.req.header("range");
  // Downloads skip the Worker's own copy: teeing gigabytes into the Cache API would buffer them.
  const cacheable = !signedUntil && !isPlaylist && !isDownloadPath(served.path) && c.req.method === "GET" && !rangeHeader && !c.req.header("if-none-match");
  const cacheKey = edgeCacheKey(new URL(c.req.url).origin, key);
  // The private marker, the edge copy and the object's current ETag, looked up together: the
  // copy is served only if storage still has those bytes (edge-cache.ts).
  const [marker, cached, current, captions] = await Promise.all([
    c.env.MEDIA.head(mediaKeys(videoId).privateMarker).then(markerState),
    cacheable ? caches.default.match(cacheKey) : undefined,
    cacheable ? c.env.MEDIA.head(key) : null,
    // The master playlist gains the captions' SUBTITLES group (master-captions.ts).
    served.path === MASTER_NAME ? storedSubtitleTracks(c.env.MEDIA, videoId) : null,
  ]);
  // A deleted video serves nothing, not even to signed URLs (late writes: media/withdraw.ts);
  // a private one only under a signed prefix.
  if (marker === "withdrawn" || (marker === "private" && !signedUntil)) {
    await cached?.body?.cancel();
    return notFound();
  }
  const hit = cacheable ? await validatedHit(cacheKey, key, cached, current, waitUntil) : null;
  if (hit) return hit;
  if (cacheable && !current) return notFound();
  if (captions && captions.tracks.length > 0) {
    const master = await c.env.MEDIA.get(key);
    if (!master) return notFound();
    const etag = await servedMasterEtag(master.httpEtag, captions.versions);
    const headers = new Headers(corsHeaders);
    headers.set("content-type", contentTypeFor(key));
    headers.set("etag", etag);
    headers.set("x-content-type-options", "nosniff");
    headers.set("cache-control", cacheControlFor(key, { signedUntil }));
    const stored = await master.text(); // a few hundred bytes
    if (etagMatches(c.req.header("if-none-match"), etag)) return new Response(null, { status: 304, headers });
    const text = addSubtitlesGroup(stored, captions.tracks);
    return new Response(c.req.method === "HEAD" ? null : text, { status: 200, headers });
  }

  // Playlists are read whole (they are tiny and their body decides their cache lifetime).
  let range = isPlaylist ? ({ kind: "none" } as const) : parseRange(rangeHeader);
  const ifRange = c.req.header("if-range");
  if (range.kind === "unsatisfiable") {
    const refused = await unsatisfiable(c.env.MEDIA, key, ifRange);
    if (refused) return refused;
    range = { kind: "none" };
  }
  let object: R2ObjectBody | R2Object | null;
  try {
    object = await c.env.MEDIA.get(key, { range: range.kind === "range" ? range.range : undefined, onlyIf: c.req.raw.headers });
  } catch (error) {
    if (!isUnsatisfiableRangeError(error)) throw error;
    const refused = await unsatisfiable(c.env.MEDIA, key, ifRange);
    if (refused) return refused;
    range = { kind: "none" };
    object = await c.env.MEDIA.get(key, { onlyIf: c.req.raw.headers });
  }
  let ranged = range.kind === "range";
  if (object && "body" in object && ranged && !ifRangeHolds(ifRange, object)) {
    ranged = false;
    await object.body.cancel();
    object = await c.env.MEDIA.get(key, { onlyIf: c.req.raw.headers });
  }
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

  const given = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  if (ranged && given && typeof body !== "string") {
    const offset = given.suffix !== undefined ? Math.max(0, object.size - given.suffix) : (given.offset ?? 0);
    const length = given.length ?? object.size - offset;
    headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("content-length", String(length));
    return new Response(c.req.method === "HEAD" ? null : body, { status: 206, headers });
  }
  if (typeof body !== "string") headers.set("content-length", String(object.size));
  const response = new Response(c.req.method === "HEAD" ? null : body, { status: 200, headers });
  return cacheable ? storeCopy(cacheKey, videoId, response, waitUntil) : response;
});
