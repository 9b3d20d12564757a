// GET /media/<key>: published media straight from R2 with Range support. Only keys under
// videos/ are ever served (originals under uploads/ never are).
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { problemResponse } from "../http/problem.ts";
import { contentTypeFor } from "./content-types.ts";

export const mediaRoutes = new Hono<AppEnv>();

const keyPattern = /^videos\/[0-9a-f-]{36}\/[A-Za-z0-9._/-]+$/;

mediaRoutes.on(["GET", "HEAD"], "/*", async (c) => {
  const key = decodeURIComponent(c.req.path.replace(/^\/media\//, ""));
  if (!keyPattern.test(key) || key.includes("..")) return problemResponse({ status: 404, detail: "No such media." });
  const object = await c.env.MEDIA.get(key, { range: c.req.raw.headers, onlyIf: c.req.raw.headers });
  if (!object) return problemResponse({ status: 404, detail: "No such media." });
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("content-type", contentTypeFor(key));
  headers.set("etag", object.httpEtag);
  headers.set("accept-ranges", "bytes");
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  const range = object.range as { offset: number; length: number } | undefined;
  if (range && c.req.header("range")) {
    headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
    headers.set("content-length", String(range.length));
    return new Response(c.req.method === "HEAD" ? null : object.body, { status: 206, headers });
  }
  headers.set("content-length", String(object.size));
  return new Response(c.req.method === "HEAD" ? null : object.body, { status: 200, headers });
});
