// Media delivery against the real local R2 and this Worker's Cache API (issue #13): withdrawn
// media is never served from the cache (finding 1), Range follows RFC 9110 (finding 8b), and a
// deleted video's prefix is fenced off against late writes of tasks still running (finding 8c).
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { DELETIONS_PREFIX, MARKER_METADATA, deletionKey, mediaCacheTag, mediaKeys } from "#contract/media-layout.ts";
import { LATE_WRITE_HORIZON_SECONDS } from "#transcoder/chunks/task-lease.ts";
import { signCallback } from "#transcoder/callback-signature.ts";
import { signMediaPrefix } from "#worker/media/signing.ts";
import { sweepDeletedMedia } from "#worker/sweeps/deleted-media.ts";
import { createApiClient, type Account } from "../support/api-client.ts";

const api = createApiClient(SELF);
const ORIGIN = "http://example.com";
let handle: DatabaseHandle;
let owner: Account;

/** A ready public video with a poster, a 1,000-byte segment (byte i = i % 256) and playlists. */
async function seedVideo(visibility: "public" | "private" = "public") {
  const [row] = await handle.db
    .insert(videos)
    .values({ creatorId: owner.creatorId!, title: "media", visibility, status: "ready", playable: true, progress: 100, durationSeconds: 4, width: 640, height: 360, publishedAt: new Date(), masterKey: "" })
    .returning();
  const id = row!.id;
  const keys = mediaKeys(id);
  await handle.db.update(videos).set({ masterKey: keys.master, posterKey: keys.poster }).where(eq(videos.id, id));
  await env.MEDIA.put(keys.master, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/playlist.m3u8\n");
  await env.MEDIA.put(keys.playlist("360p"), "#EXTM3U\n#EXTINF:4,\nseg_00001.m4s\n#EXT-X-ENDLIST\n");
  await env.MEDIA.put(keys.segment("360p", 1), new Uint8Array(1000).map((_, i) => i % 256));
  await env.MEDIA.put(keys.poster, "jpeg bytes");
  if (visibility === "private") await env.MEDIA.put(keys.privateMarker, "");
  return id;
}

const media = (id: string, rest: string, init?: RequestInit) => SELF.fetch(`${ORIGIN}/media/videos/${id}/${rest}`, init);
const cacheUrl = (id: string, rest: string) => `${ORIGIN}/media/videos/${id}/${rest}`;

/** GETs an object until this Worker's cache holds it (the copy is written in waitUntil). */
async function warmCache(id: string, rest: string): Promise<Response> {
  const first = await media(id, rest);
  expect(first.status).toBe(200);
  await first.arrayBuffer();
  for (let i = 0; i < 50; i++) {
    const cached = await caches.default.match(cacheUrl(id, rest));
    if (cached) return cached;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${rest} never reached the cache`);
}

beforeAll(async () => {
  handle = openDatabase(env);
  owner = await api.signUpCreator("Media Mona");
});

afterAll(async () => {
  await handle.close();
});

describe("withdrawn media is not served from the cache (finding 1)", () => {
  it("made private, then deleted: the cached poster and segment answer 404 at once", async () => {
    const id = await seedVideo();
    await warmCache(id, "poster.jpg");
    await warmCache(id, "360p/seg_00001.m4s");
    expect((await media(id, "poster.jpg")).status).toBe(200);

    expect((await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "private" } })).status).toBe(200);
    expect((await media(id, "poster.jpg")).status).toBe(404);
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    for (const rest of ["poster.jpg", "360p/seg_00001.m4s", "master.m3u8"]) expect((await media(id, rest)).status, rest).toBe(404);
  });

  it("deleted while public: 404 even when a cached copy survives (written by another data center, never purged)", async () => {
    const id = await seedVideo();
    const copy = await warmCache(id, "poster.jpg");
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    // This colo's copy is dropped at once…
    await new Promise((r) => setTimeout(r, 100));
    expect(await caches.default.match(cacheUrl(id, "poster.jpg"))).toBeUndefined();
    // …and a copy no purge reached is still never served: every hit is checked against storage.
    await caches.default.put(cacheUrl(id, "poster.jpg"), copy);
    const res = await media(id, "poster.jpg");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it("a cached copy of bytes that storage replaced is not served; private videos stay reachable signed", async () => {
    const id = await seedVideo();
    await warmCache(id, "poster.jpg");
    await env.MEDIA.put(mediaKeys(id).poster, "re-encoded poster");
    expect(await (await media(id, "poster.jpg")).text()).toBe("re-encoded poster");

    await warmCache(id, "360p/seg_00001.m4s");
    await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "private" } });
    expect((await media(id, "360p/seg_00001.m4s")).status).toBe(404);
    const token = await signMediaPrefix(env.MEDIA_SIGNING_SECRET, id, Math.floor(Date.now() / 1000) + 3600);
    const signed = await SELF.fetch(`${ORIGIN}/media/${token}/videos/${id}/360p/seg_00001.m4s`);
    expect(signed.status).toBe(200);
    expect(signed.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
  });

  it("cache headers: no `immutable`, shared caches at most 60 s; the edge copy carries the video's Cache-Tag", async () => {
    const id = await seedVideo();
    const segment = await media(id, "360p/seg_00001.m4s");
    expect(segment.headers.get("cache-control")).toBe("public, max-age=3600, s-maxage=60");
    expect(segment.headers.get("cache-tag")).toBeNull();
    await segment.arrayBuffer();
    const copy = await warmCache(id, "360p/seg_00001.m4s");
    expect(copy.headers.get("cache-tag")).toBe(mediaCacheTag(id));
    const hit = await media(id, "360p/seg_00001.m4s");
    expect(hit.headers.get("cache-control")).toBe("public, max-age=3600, s-maxage=60");
    expect(hit.headers.get("cache-tag")).toBeNull();
    expect((await hit.arrayBuffer()).byteLength).toBe(1000);
    expect((await media(id, "360p/playlist.m3u8")).headers.get("cache-control")).toBe("public, max-age=3600, s-maxage=60");
    expect((await media(id, "master.m3u8")).headers.get("cache-control")).toBe("public, max-age=60");
  });
});

describe("Range (RFC 9110) on the real local R2 (finding 8b)", () => {
  let id: string;
  beforeAll(async () => {
    id = await seedVideo();
  });
  const ranged = (range: string, init: RequestInit = {}) => media(id, "360p/seg_00001.m4s", { ...init, headers: { range, ...(init.headers as Record<string, string>) } });

  it("one satisfiable range: 206 with the exact bytes", async () => {
    const cases: [string, string, number, number][] = [
      ["bytes=10-19", "bytes 10-19/1000", 10, 10],
      ["bytes=990-5000", "bytes 990-999/1000", 10, 990 % 256],
      ["bytes=-100", "bytes 900-999/1000", 100, 900 % 256],
      ["bytes=-5000", "bytes 0-999/1000", 1000, 0],
      ["bytes=999-", "bytes 999-999/1000", 1, 999 % 256],
      ["BYTES = 10-19", "bytes 10-19/1000", 10, 10],
    ];
    for (const [range, contentRange, length, firstByte] of cases) {
      const res = await ranged(range);
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range"), range).toBe(contentRange);
      expect(res.headers.get("content-length"), range).toBe(String(length));
      const body = new Uint8Array(await res.arrayBuffer());
      expect(body.byteLength, range).toBe(length);
      expect(body[0], range).toBe(firstByte);
    }
  });

  it("a range wholly outside the file: 416 with Content-Range: bytes */size (was 206 with the whole file)", async () => {
    for (const range of ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=99999999999999999999-"]) {
      const res = await ranged(range);
      expect(res.status, range).toBe(416);
      expect(res.headers.get("content-range"), range).toBe("bytes */1000");
      expect(res.headers.get("content-type"), range).toMatch(/problem\+json/);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
    }
  });

  it("invalid syntax, other units and several ranges are ignored: 200 with the whole file", async () => {
    for (const range of ["bytes=abc", "bytes=20-10", "items=0-1", "bytes 0-1", "bytes=", "bytes=1-2-3", "bytes=0-1,5-6"]) {
      const res = await ranged(range);
      expect(res.status, range).toBe(200);
      expect(res.headers.get("content-range"), range).toBeNull();
      expect((await res.arrayBuffer()).byteLength, range).toBe(1000);
    }
  });

  it("If-Range: the range applies only while the ETag matches; HEAD answers like GET without a body", async () => {
    const etag = (await media(id, "360p/seg_00001.m4s", { method: "HEAD" })).headers.get("etag")!;
    expect((await ranged("bytes=0-9", { headers: { "if-range": etag } })).status).toBe(206);
    const stale = await ranged("bytes=0-9", { headers: { "if-range": '"not-the-etag"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(1000);
    const head = await ranged("bytes=0-9", { method: "HEAD" });
    expect(head.status).toBe(206);
    expect(head.headers.get("content-range")).toBe("bytes 0-9/1000");
    expect((await ranged("bytes=2000-", { method: "HEAD" })).status).toBe(416);
    // A stale If-Range wins over an unsatisfiable range too: the whole file.
    expect((await ranged("bytes=2000-", { headers: { "if-range": '"not-the-etag"' } })).status).toBe(200);
    expect((await ranged("bytes=2000-", { headers: { "if-range": etag } })).status).toBe(416);
  });
});

describe("deletion fences off late writes (finding 8c)", () => {
  it("late writes are never served and are swept; after the horizon nothing remains under the prefix", async () => {
    const id = await seedVideo();
    const keys = mediaKeys(id);
    const deletedAt = Date.now();
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    const tombstone = await env.MEDIA.head(deletionKey(id));
    const purgeAfter = Date.parse(tombstone!.customMetadata![MARKER_METADATA.purgeAfter]!);
    expect(purgeAfter - deletedAt).toBeGreaterThanOrEqual(LATE_WRITE_HORIZON_SECONDS * 1000 - 1000);
    // Only the withdrawn marker is left under the prefix.
    expect((await env.MEDIA.list({ prefix: keys.prefix })).objects.map((o) => o.key)).toEqual([keys.privateMarker]);

    // A task that was still running uploads a segment after the deletion: nobody gets it, not
    // even under a signed prefix.
    await env.MEDIA.put(keys.segment("360p", 7), "late");
    expect((await media(id, "360p/seg_00007.m4s")).status).toBe(404);
    const token = await signMediaPrefix(env.MEDIA_SIGNING_SECRET, id, Math.floor(Date.now() / 1000) + 3600);
    expect((await SELF.fetch(`${ORIGIN}/media/${token}/videos/${id}/360p/seg_00007.m4s`)).status).toBe(404);

    // A sweep before the horizon removes what was written late and keeps the fence up.
    await sweepDeletedMedia(env.MEDIA, new Date(deletedAt + 1000));
    expect((await env.MEDIA.list({ prefix: keys.prefix })).objects.map((o) => o.key)).toEqual([keys.privateMarker]);
    await env.MEDIA.put(keys.poster, "even later");
    // The first sweep after the horizon: nothing remains, tombstone included.
    await sweepDeletedMedia(env.MEDIA, new Date(purgeAfter + 1));
    expect((await env.MEDIA.list({ prefix: keys.prefix })).objects).toHaveLength(0);
    expect(await env.MEDIA.head(deletionKey(id))).toBeNull();
    expect((await env.MEDIA.list({ prefix: DELETIONS_PREFIX })).objects.map((o) => o.key)).not.toContain(deletionKey(id));
  });

  it("a task of a deleted video is told to stop (410) on its next heartbeat", async () => {
    const id = await seedVideo();
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    const body = JSON.stringify({ videoId: id, jobId: crypto.randomUUID(), task: { kind: "chunk", index: 0 }, event: "heartbeat", at: new Date().toISOString() });
    const res = await SELF.fetch(`${ORIGIN}/api/internal/transcode/callback`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-transcoder-signature": await signCallback(env.CALLBACK_SECRET, body) },
      body,
    });
    expect(res.status).toBe(410);
  });
});
