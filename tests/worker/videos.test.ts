// Videos, media delivery, views and discovery inside workerd: real Postgres, local R2 and Queues.
import { env, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { mediaKeys } from "#contract/media-layout.ts";
import { MAX_PARTS, MAX_UPLOAD_BYTES, partCount, partLength, partSizeFor } from "#contract/api.ts";
import { MAX_JSON_BODY_BYTES } from "#worker/http/validate.ts";
import { signMediaPrefix } from "#worker/media/signing.ts";
import { recordViews } from "#worker/views/record-views.ts";
import { VIEW_TOKEN_TTL_SECONDS, issueViewToken } from "#worker/views/view-token.ts";
import { RATE_LIMITS } from "#worker/auth/rate-limits.ts";
import { addressBucket } from "#worker/http/address-bucket.ts";
import { createApiClient, randomAddress, type Account } from "../support/api-client.ts";

const api = createApiClient(SELF);
let handle: DatabaseHandle;
let owner: Account;
let other: Account;
let viewer: Account;
let admin: Account;

type VideoJson = { id: string; visibility: string; status: string; playable: boolean; viewCount: number; playback: { hls: string; poster: string | null } | null };
type Page = { items: VideoJson[]; nextCursor: string | null };

async function seedVideo(creatorId: string, opts: { visibility?: "public" | "unlisted" | "private"; title?: string; publishedAt?: Date; durationSeconds?: number } = {}) {
  const visibility = opts.visibility ?? "public";
  const [row] = await handle.db
    .insert(videos)
    .values({
      creatorId,
      title: opts.title ?? `Seeded ${visibility} video`,
      description: "seeded for tests",
      visibility,
      status: "ready",
      playable: true,
      progress: 100,
      durationSeconds: opts.durationSeconds ?? 60,
      width: 640,
      height: 360,
      publishedAt: opts.publishedAt ?? new Date(),
      masterKey: "",
    })
    .returning();
  const id = row!.id;
  await handle.db.update(videos).set({ masterKey: `videos/${id}/master.m3u8`, posterKey: `videos/${id}/poster.jpg` }).where(eq(videos.id, id));
  await env.MEDIA.put(`videos/${id}/master.m3u8`, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/playlist.m3u8\n");
  await env.MEDIA.put(`videos/${id}/360p/playlist.m3u8`, "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:4,\nseg_00001.m4s\n");
  await env.MEDIA.put(`videos/${id}/360p/seg_00001.m4s`, new Uint8Array(1000).map((_, i) => i % 256));
  await env.MEDIA.put(`videos/${id}/poster.jpg`, "jpeg");
  if (visibility === "private") await env.MEDIA.put(mediaKeys(id).privateMarker, "");
  return id;
}

beforeAll(async () => {
  handle = openDatabase(env);
  owner = await api.signUpCreator("Owner Olive");
  other = await api.signUpCreator("Other Oscar");
  viewer = await api.signUp();
  const adminAccount = await api.signUp();
  await handle.db.update(users).set({ role: "admin" }).where(eq(users.id, adminAccount.user.id));
  admin = await api.login(adminAccount.email);
});

afterAll(async () => {
  await handle.close();
});

describe("creating uploads", () => {
  const valid = { title: "My clip", visibility: "public", filename: "clip.mp4", size: 20_000_000, contentType: "video/mp4" };

  it("needs a creator: anonymous 401, viewer 403", async () => {
    expect((await api.request("/api/videos", { method: "POST", json: valid })).status).toBe(401);
    const res = await api.request("/api/videos", { method: "POST", json: valid, as: viewer });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
  });

  it("validates title, type and size with field errors", async () => {
    const bad = await api.request<{ errors: { path: string }[] }>("/api/videos", {
      method: "POST",
      as: owner,
      json: { ...valid, title: "", contentType: "text/plain", size: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(["contentType", "size", "title"]);
    const long = await api.request("/api/videos", { method: "POST", as: owner, json: { ...valid, title: "x".repeat(201) } });
    expect(long.status).toBe(400);
    const huge = await api.request("/api/videos", { method: "POST", as: owner, json: { ...valid, size: 11 * 1024 ** 3 } });
    expect(huge.status).toBe(413);
  });

  it("storage down: a clear 503 and no half-created video", async () => {
    // S3_ENDPOINT points at a closed port in this suite.
    const before = await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from videos where creator_id = ${owner.creatorId}`);
    const res = await api.request("/api/videos", { method: "POST", as: owner, json: valid });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const after = await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from videos where creator_id = ${owner.creatorId}`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it("finding 5: creating uploads is rate-limited per account and per address (429 + Retry-After, before storage)", async () => {
    const perAccount = RATE_LIMITS.uploadsPerAccount;
    const perAddress = RATE_LIMITS.uploadsPerAddress;
    const create = (as: Account, ip: string) => api.request<{ detail: string }>("/api/videos", { method: "POST", as, ip, json: valid });
    const expect429 = (res: Awaited<ReturnType<typeof create>>, windowSeconds: number) => {
      expect(res.status).toBe(429);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    };
    // Storage is down in this suite, so an allowed attempt is a 503: the limit is checked first.
    const a = await api.signUpCreator("Rate A");
    for (let i = 0; i < perAccount.limit; i++) expect((await create(a, randomAddress())).status).toBe(503);
    expect429(await create(a, randomAddress()), perAccount.windowSeconds);
    // Another account is not affected...
    const b = await api.signUpCreator("Rate B");
    const ip = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:9::1`;
    expect((await create(b, ip)).status).toBe(503);
    // ...but one address (any address of one IPv6 /64) is limited across accounts.
    const others = [b, await api.signUpCreator("Rate C")];
    for (let i = 1; i < perAddress.limit; i++) expect((await create(others[i % 2]!, ip.replace("::1", `::${i + 1}`))).status).toBe(503);
    const c = await api.signUpCreator("Rate D");
    expect429(await create(c, ip.replace("::1", "::ffff")), perAddress.windowSeconds);
    expect((await create(c, randomAddress())).status).toBe(503);
  });
});

describe("completing uploads", () => {
  it("finding 8a: the largest upload's parts fit, and it completes from the reported parts without a parts list", async () => {
    const partSize = partSizeFor(MAX_UPLOAD_BYTES);
    const count = partCount(MAX_UPLOAD_BYTES, partSize);
    expect(count).toBeLessThanOrEqual(MAX_PARTS);
    const [row] = await handle.db
      .insert(videos)
      .values({ creatorId: owner.creatorId!, title: "largest", status: "uploading", partSize, sourceSize: MAX_UPLOAD_BYTES, uploadId: "upload-largest" })
      .returning();
    const id = row!.id;
    const etag = (n: number) => `"${n.toString(16).padStart(32, "0")}"`;
    const complete = (json: unknown) => api.request<{ detail: string }>(`/api/videos/${id}/upload/complete`, { method: "POST", as: owner, json });
    // Every ETag in the body does not fit the JSON limit: the old way could never complete it.
    const all = Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, etag: etag(i + 1) }));
    expect(JSON.stringify({ parts: all }).length).toBeGreaterThan(MAX_JSON_BODY_BYTES);
    expect((await complete({ parts: all })).status).toBe(413);
    // Reported one by one (the API, then the rest straight into the row to keep the test short).
    for (const n of [1, 2, count]) {
      const res = await api.request(`/api/videos/${id}/upload/parts/${n}`, { method: "PUT", as: owner, json: { etag: etag(n), size: partLength(MAX_UPLOAD_BYTES, partSize, n) } });
      expect(res.status).toBe(204);
    }
    const early = await complete({});
    expect(early.status).toBe(422);
    expect(early.body.detail).toMatch(new RegExp(`^Parts 3, 4, .*\\(${count - 3} of ${count} missing\\)`));
    const uploadedParts = Object.fromEntries(all.map((p) => [String(p.partNumber), { etag: p.etag, size: partLength(MAX_UPLOAD_BYTES, partSize, p.partNumber) }]));
    await handle.db.update(videos).set({ uploadedParts }).where(eq(videos.id, id));
    // Now the Worker hands storage all 1,280 parts; storage is down in this suite, hence 503.
    const res = await complete({});
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
  });
});

describe("visibility: metadata, media, lists, search and feed", () => {
  const ids: Record<string, string> = {};
  const word = `zebra${crypto.randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    for (const visibility of ["public", "unlisted", "private"] as const) {
      ids[visibility] = await seedVideo(owner.creatorId!, { visibility, title: `${word} ${visibility}` });
    }
    // The viewer follows the owner, so the feed is part of the table too.
    expect((await api.request(`/api/creators/${owner.creatorId}/follow`, { method: "PUT", as: viewer })).status).toBe(204);
  });

  const who = () => ({ anonymous: undefined, viewer, other, owner, admin }) as Record<string, Account | undefined>;

  it("metadata: private is 404 to everyone but the owner and admins", async () => {
    const expected: Record<string, Record<string, number>> = {
      public: { anonymous: 200, viewer: 200, other: 200, owner: 200, admin: 200 },
      unlisted: { anonymous: 200, viewer: 200, other: 200, owner: 200, admin: 200 },
      private: { anonymous: 404, viewer: 404, other: 404, owner: 200, admin: 200 },
    };
    for (const [visibility, row] of Object.entries(expected)) {
      for (const [name, status] of Object.entries(row)) {
        const res = await api.request(`/api/videos/${ids[visibility]}`, { as: who()[name] });
        expect(res.status, `${visibility} as ${name}`).toBe(status);
      }
    }
  });

  it("media: plain URLs work for public and unlisted, never for private; the owner's signed URL works", async () => {
    for (const visibility of ["public", "unlisted"]) {
      const res = await SELF.fetch(`http://example.com/media/videos/${ids[visibility]}/master.m3u8`);
      expect(res.status, visibility).toBe(200);
    }
    const plain = await SELF.fetch(`http://example.com/media/videos/${ids.private}/master.m3u8`);
    expect(plain.status).toBe(404);
    const meta = await api.request<VideoJson>(`/api/videos/${ids.private}`, { as: owner });
    expect(meta.body.playback!.hls).toMatch(/\/media\/s\/\d+\.[A-Za-z0-9_-]+\/videos\//);
    const signed = await SELF.fetch(meta.body.playback!.hls);
    expect(signed.status).toBe(200);
    // Relative URLs inside the playlist resolve under the same signed prefix.
    const variant = new URL("360p/playlist.m3u8", meta.body.playback!.hls);
    expect((await SELF.fetch(variant)).status).toBe(200);
    expect((await SELF.fetch(new URL("seg_00001.m4s", variant))).status).toBe(200);
  });

  it("lists, search and feed show only public videos", async () => {
    const latest = await api.request<Page>("/api/videos?sort=latest&limit=100", { as: viewer });
    const latestIds = latest.body.items.map((v) => v.id);
    expect(latestIds).toContain(ids.public);
    expect(latestIds).not.toContain(ids.unlisted);
    expect(latestIds).not.toContain(ids.private);

    const channel = await api.request<Page>(`/api/creators/${owner.creatorId}/videos`, { as: viewer });
    expect(channel.body.items.map((v) => v.id).sort()).toEqual([ids.public]);
    const ownChannel = await api.request<Page>(`/api/creators/${owner.creatorId}/videos?limit=100`, { as: owner });
    expect(ownChannel.body.items.map((v) => v.id)).toEqual(expect.arrayContaining([ids.public, ids.unlisted, ids.private]));

    for (const account of [undefined, viewer, owner, admin]) {
      const search = await api.request<Page>(`/api/search?q=${word}`, { as: account });
      expect(search.status).toBe(200);
      expect(search.body.items.map((v) => v.id)).toEqual([ids.public]);
    }
    const feed = await api.request<Page>("/api/feed/following", { as: viewer });
    expect(feed.body.items.map((v) => v.id)).toContain(ids.public);
    expect(feed.body.items.map((v) => v.id)).not.toContain(ids.unlisted);
    expect(feed.body.items.map((v) => v.id)).not.toContain(ids.private);
    expect((await api.request("/api/feed/following")).status).toBe(401);
  });

  it("lists present a video exactly as its metadata does (every kind of column, decoded from the listed row's JSON)", async () => {
    const id = await seedVideo(owner.creatorId!, { title: "Listed like its metadata", durationSeconds: 12.75 });
    await handle.db
      .update(videos)
      .set({
        // Past 2^31 (bigint), a fraction (real), a JSON array, microseconds, nulls beside values.
        viewCount: 4_000_000_123,
        likeCount: 7,
        thumbnailKeys: [`videos/${id}/thumbs/0001.jpg`, `videos/${id}/thumbs/0002.jpg`],
        storyboardKey: null,
        publishAt: sql`date_trunc('second', now()) - interval '2.123456 seconds'`,
        publishedAt: sql`date_trunc('second', now()) - interval '1.654321 seconds'`,
        description: "Chapters:\n0:00 Intro\n0:05 Middle",
      })
      .where(eq(videos.id, id));
    const { liked: _liked, resumeAt: _resumeAt, viewToken: _viewToken, ...meta } = (await api.request<Record<string, unknown>>(`/api/videos/${id}`, { as: viewer })).body;
    expect(meta).toMatchObject({ id, viewCount: 4_000_000_123, durationSeconds: 12.75, creator: { id: owner.creatorId } });
    const lists = ["/api/feed/following?limit=100", "/api/videos?sort=latest&limit=100", `/api/creators/${owner.creatorId}/videos?limit=100`];
    for (const path of lists) {
      const page = await api.request<{ items: Record<string, unknown>[] }>(path, { as: viewer });
      expect(page.body.items.find((v) => v.id === id), path).toEqual(meta);
    }
  });

  it("search: several words, prefix on the last one, creator names", async () => {
    const prefix = await api.request<Page & { creators: { id: string }[] }>(`/api/search?q=${word.slice(0, 7)}`);
    expect(prefix.body.items.map((v) => v.id)).toContain(ids.public);
    const twoWords = await api.request<Page>(`/api/search?q=${word}+pub`);
    expect(twoWords.body.items.map((v) => v.id)).toEqual([ids.public]);
    const byCreator = await api.request<Page & { creators: { id: string }[] }>("/api/search?q=owner+oliv");
    expect(byCreator.body.creators.map((c) => c.id)).toContain(owner.creatorId);
    expect(byCreator.body.items.map((v) => v.id)).toContain(ids.public);
    expect((await api.request("/api/search?q=")).status).toBe(400);
    expect((await api.request("/api/search?q=%21%21%21")).status).toBe(422);
  });

  it("changing visibility takes effect for new media requests", async () => {
    const id = await seedVideo(owner.creatorId!, { visibility: "public" });
    expect((await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`)).status).toBe(200);
    const patched = await api.request<VideoJson>(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "private" } });
    expect(patched.status).toBe(200);
    expect((await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`)).status).toBe(404);
    expect((await api.request(`/api/videos/${id}`, { as: viewer })).status).toBe(404);
    await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "public" } });
    expect((await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`)).status).toBe(200);
  });

  it("PATCH and DELETE: owner only (admin may delete); deleting removes the media", async () => {
    const id = await seedVideo(owner.creatorId!);
    expect((await api.request(`/api/videos/${id}`, { method: "PATCH", as: other, json: { title: "mine now" } })).status).toBe(404);
    expect((await api.request(`/api/videos/${id}`, { method: "PATCH", json: { title: "anon" } })).status).toBe(401);
    expect((await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: {} })).status).toBe(400);
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: other })).status).toBe(404);
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: admin })).status).toBe(204);
    expect((await api.request(`/api/videos/${id}`, { as: owner })).status).toBe(404);
    // Only the withdrawn marker stays (it keeps late writes unserved) until the sweep's horizon.
    expect(await env.MEDIA.list({ prefix: `videos/${id}/` }).then((l) => l.objects.map((o) => o.key))).toEqual([mediaKeys(id).privateMarker]);
    expect((await api.request("/api/videos/not-a-uuid")).status).toBe(404);
  });
});

describe("media delivery", () => {
  let id: string;
  beforeAll(async () => {
    id = await seedVideo(owner.creatorId!);
  });

  it("content types, Range, ETag/304 and cache headers", async () => {
    const segment = await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`);
    expect(segment.headers.get("content-type")).toBe("video/iso.segment");
    expect(segment.headers.get("cache-control")).toBe("public, max-age=3600, s-maxage=60");
    expect(segment.headers.get("access-control-allow-origin")).toBe("*");
    expect((await segment.arrayBuffer()).byteLength).toBe(1000);
    const etag = segment.headers.get("etag")!;

    const ranged = await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`, { headers: { range: "bytes=10-19" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("bytes 10-19/1000");
    expect(new Uint8Array(await ranged.arrayBuffer())[0]).toBe(10);

    const notModified = await SELF.fetch(`http://example.com/media/videos/${id}/360p/seg_00001.m4s`, { headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);

    const growing = await SELF.fetch(`http://example.com/media/videos/${id}/360p/playlist.m3u8`);
    expect(growing.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(growing.headers.get("cache-control")).toBe("public, max-age=1");
    await env.MEDIA.put(`videos/${id}/360p/playlist.m3u8`, "#EXTM3U\n#EXTINF:4,\nseg_00001.m4s\n#EXT-X-ENDLIST\n");
    const ended = await SELF.fetch(`http://example.com/media/videos/${id}/360p/playlist.m3u8`);
    expect(ended.headers.get("cache-control")).toBe("public, max-age=3600, s-maxage=60");

    const poster = await SELF.fetch(`http://example.com/media/videos/${id}/poster.jpg`);
    expect(poster.headers.get("content-type")).toBe("image/jpeg");
  });

  it("refuses sources, markers, traversal and unknown keys", async () => {
    for (const path of [`uploads/${id}/source`, `videos/${id}/.private`, `videos/${id}/../x`, `videos/${id}/nope.m4s`, "videos/x/y"]) {
      const res = await SELF.fetch(`http://example.com/media/${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it("signed prefixes: tampered, expired and wrong-video tokens are refused", async () => {
    const priv = await seedVideo(owner.creatorId!, { visibility: "private" });
    const future = Math.floor(Date.now() / 1000) + 3600;
    const good = await signMediaPrefix(env.MEDIA_SIGNING_SECRET, priv, future);
    expect((await SELF.fetch(`http://example.com/media/${good}/videos/${priv}/master.m3u8`)).status).toBe(200);
    const tampered = good.slice(0, -2) + (good.endsWith("AA") ? "BB" : "AA");
    expect((await SELF.fetch(`http://example.com/media/${tampered}/videos/${priv}/master.m3u8`)).status).toBe(403);
    const longer = good.replace(`s/${future}.`, `s/${future + 1000}.`);
    expect((await SELF.fetch(`http://example.com/media/${longer}/videos/${priv}/master.m3u8`)).status).toBe(403);
    const expired = await signMediaPrefix(env.MEDIA_SIGNING_SECRET, priv, Math.floor(Date.now() / 1000) - 10);
    const expiredRes = await SELF.fetch(`http://example.com/media/${expired}/videos/${priv}/master.m3u8`);
    expect(expiredRes.status).toBe(403);
    expect(((await expiredRes.json()) as { detail: string }).detail).toMatch(/expired/);
    const otherVideo = await seedVideo(owner.creatorId!, { visibility: "private" });
    expect((await SELF.fetch(`http://example.com/media/${good}/videos/${otherVideo}/master.m3u8`)).status).toBe(403);
  });
});

describe("views", () => {
  async function viewCount(id: string) {
    const [row] = await handle.db.select({ n: videos.viewCount }).from(videos).where(eq(videos.id, id));
    return row!.n;
  }

  /** A token as GET /api/videos/:id hands out, issued `agoSeconds` ago (a page opened that long ago). */
  const tokenFrom = (id: string, agoSeconds: number) => issueViewToken(env.VIEWER_HASH_SECRET, id, Date.now() - agoSeconds * 1000);

  async function settledViewCount(id: string, atLeast: number) {
    for (let i = 0; i < 50 && (await viewCount(id)) < atLeast; i++) await new Promise((r) => setTimeout(r, 200));
    // The queue's batches are at most a second apart: give a late one the chance to (wrongly) count.
    await new Promise((r) => setTimeout(r, 1500));
    return viewCount(id);
  }

  it("counts after min(10 s, half the duration), once per viewer per hour, through the queue", async () => {
    const id = await seedVideo(owner.creatorId!, { durationSeconds: 8 });
    const viewToken = await tokenFrom(id, 60);
    const short = await api.request<{ counted: boolean }>(`/api/videos/${id}/views`, { method: "POST", as: viewer, json: { watchedSeconds: 3, viewToken } });
    expect(short.status).toBe(202);
    expect(short.body.counted).toBe(false);
    for (let i = 0; i < 3; i++) {
      const res = await api.request<{ counted: boolean }>(`/api/videos/${id}/views`, { method: "POST", as: viewer, json: { watchedSeconds: 4, viewToken } });
      expect(res.body.counted).toBe(true);
    }
    // Two anonymous viewers from different addresses count separately.
    await api.request(`/api/videos/${id}/views`, { method: "POST", ip: "192.0.2.10", json: { watchedSeconds: 5, viewToken } });
    await api.request(`/api/videos/${id}/views`, { method: "POST", ip: "192.0.2.11", json: { watchedSeconds: 5, viewToken } });
    expect(await settledViewCount(id, 3)).toBe(3);
    const stored = await handle.db.execute<{ viewer_key: string }>(sql`select viewer_key from views where video_id = ${id}`);
    expect(stored.rows.some((r) => r.viewer_key.includes("192.0.2"))).toBe(false);
  });

  it("the metadata of a playable video carries a view token; a report without one is accepted but not counted", async () => {
    const id = await seedVideo(owner.creatorId!, { durationSeconds: 8 });
    const meta = await api.request<{ viewToken?: string }>(`/api/videos/${id}`);
    expect(meta.body.viewToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const lists = await api.request<Page>(`/api/creators/${owner.creatorId}/videos`);
    expect(lists.body.items.every((v) => !("viewToken" in v))).toBe(true);
    const bare = await api.request<{ counted: boolean }>(`/api/videos/${id}/views`, { method: "POST", ip: "192.0.2.20", json: { watchedSeconds: 20 } });
    expect(bare.status).toBe(202);
    expect(bare.body.counted).toBe(false);
    expect(await settledViewCount(id, 0)).toBe(0);
  });

  it("finding 2: 50 reports from one address with 50 User-Agents count one view, and past the limit they are refused", async () => {
    const id = await seedVideo(owner.creatorId!, { durationSeconds: 60 });
    const viewToken = await tokenFrom(id, 30);
    const { limit, windowSeconds } = RATE_LIMITS.viewsPerAddress;
    // The local rate limiting binding counts in windows aligned to the clock: start the 50 reports
    // early in one, so that they all fall in it.
    const intoWindow = Date.now() % (windowSeconds * 1000);
    if (intoWindow > (windowSeconds - 20) * 1000) await new Promise((r) => setTimeout(r, windowSeconds * 1000 - intoWindow + 100));
    // One IPv6 subscriber: every address of its /64 is the same viewer.
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await api.request<{ counted?: boolean }>(`/api/videos/${id}/views`, {
        method: "POST",
        ip: `${net}::${(i + 1).toString(16)}`,
        headers: { "user-agent": `Bot/${i} (agent ${crypto.randomUUID()})` },
        json: { watchedSeconds: 25, viewToken },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(windowSeconds);
      } else {
        expect(res.body.counted).toBe(true);
      }
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(limit);
    expect(statuses.slice(limit).every((s) => s === 429)).toBe(true);
    expect(await settledViewCount(id, 1)).toBe(1);
  }, 60_000);

  it("a token counts only for its video, unexpired, and for no more watch time than has passed since it was issued", async () => {
    const id = await seedVideo(owner.creatorId!, { durationSeconds: 60 });
    const otherId = await seedVideo(owner.creatorId!, { durationSeconds: 60 });
    const report = (viewToken: string, watchedSeconds: number, videoId = id) =>
      api.request<{ detail: string; errors: { path: string }[] }>(`/api/videos/${videoId}/views`, { method: "POST", json: { watchedSeconds, viewToken } });
    const refused = async (res: Awaited<ReturnType<typeof report>>, detail: RegExp) => {
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.errors[0]!.path).toBe("viewToken");
      expect(res.body.detail).toMatch(detail);
    };
    // Fresh from the metadata: 10 s of watching cannot have happened yet.
    const fresh = (await api.request<{ viewToken: string }>(`/api/videos/${id}`)).body.viewToken;
    await refused(await report(fresh, 10), /cannot have happened/);
    await refused(await report(await tokenFrom(id, 5), 10), /cannot have happened/);
    await refused(await report(await tokenFrom(otherId, 60), 10), /another video/);
    await refused(await report(await tokenFrom(id, VIEW_TOKEN_TTL_SECONDS + 60), 10), /expired/);
    await refused(await report(await issueViewToken("some-other-secret-0123456789abcdef", id, Date.now() - 60_000), 10), /not valid/);
    const [head, body] = (await tokenFrom(id, 60)).split(".");
    await refused(await report(`${head}.${body}.`, 10), /not valid/);
    // An access token is not a view token.
    await refused(await report(viewer.accessToken, 10), /not valid/);
    // Issued 12 s ago: 10 s of watching fits (this one counts).
    const ok = await api.request<{ counted: boolean }>(`/api/videos/${id}/views`, { method: "POST", json: { watchedSeconds: 10, viewToken: await tokenFrom(id, 12) } });
    expect(ok.status).toBe(202);
    expect(ok.body.counted).toBe(true);
    expect(await settledViewCount(id, 1)).toBe(1);
  });

  it("the viewer behind an anonymous report is its address: IPv4 whole, IPv6 by /64, IPv4-mapped as IPv4", () => {
    expect(addressBucket("192.0.2.7")).toBe("192.0.2.7");
    expect(addressBucket("2001:DB8:a:b:1:2:3:4")).toBe("2001:db8:a:b::/64");
    expect(addressBucket("2001:db8:a:b::ffff")).toBe("2001:db8:a:b::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("2001:0db8:000a:0000::1")).toBe("2001:db8:a:0::/64");
    expect(addressBucket("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
  });

  it("a redelivered batch does not double count", async () => {
    const id = await seedVideo(owner.creatorId!);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const batch = [
      { videoId: id, viewerKey: "a:one", hour, watchedSeconds: 12 },
      { videoId: id, viewerKey: "a:two", hour, watchedSeconds: 12 },
      { videoId: id, viewerKey: "a:two", hour, watchedSeconds: 30 },
    ];
    expect(await recordViews(handle.db, batch)).toBe(2);
    expect(await recordViews(handle.db, batch)).toBe(0);
    expect(await viewCount(id)).toBe(2);
    const daily = await handle.db.execute<{ views: number }>(sql`select views from video_daily_views where video_id = ${id}`);
    expect(daily.rows[0]!.views).toBe(2);
  });

  it("refuses bad input and invisible videos", async () => {
    const id = await seedVideo(owner.creatorId!, { visibility: "private" });
    expect((await api.request(`/api/videos/${id}/views`, { method: "POST", as: viewer, json: { watchedSeconds: 20 } })).status).toBe(404);
    expect((await api.request(`/api/videos/${id}/views`, { method: "POST", as: owner, json: { watchedSeconds: -1 } })).status).toBe(400);
    expect((await api.request(`/api/videos/${id}/views`, { method: "POST", as: owner, json: { watchedSeconds: "10" } })).status).toBe(400);
  });

  it("creator stats: totals, zero-filled days, per video", async () => {
    const creator = await api.signUpCreator("Stats Sam");
    const id = await seedVideo(creator.creatorId!);
    const today = new Date().toISOString().slice(0, 10);
    await recordViews(handle.db, [{ videoId: id, viewerKey: "a:stats", hour: new Date().toISOString(), watchedSeconds: 30 }]);
    const stats = await api.request<{ totals: { views: number }; days: { date: string; views: number }[]; videos: { id: string; views: number }[] }>("/api/me/stats", { as: creator });
    expect(stats.status).toBe(200);
    expect(stats.body.days).toHaveLength(28);
    expect(stats.body.days.at(-1)).toEqual({ date: today, views: 1 });
    expect(stats.body.totals.views).toBe(1);
    expect(stats.body.videos).toEqual([expect.objectContaining({ id, views: 1 })]);
    expect((await api.request("/api/me/stats", { as: viewer })).status).toBe(403);
    expect((await api.request("/api/me/stats?from=2026-02-01&to=2026-01-01", { as: creator })).status).toBe(422);
    expect((await api.request("/api/me/stats?from=yesterday", { as: creator })).status).toBe(400);
  });
});

describe("pagination", () => {
  it("pages through a channel without duplicates or gaps while new videos arrive", async () => {
    const creator = await api.signUpCreator("Paging Pat");
    const base = Date.now() - 10_000_000;
    const original: string[] = [];
    for (let i = 0; i < 30; i++) original.push(await seedVideo(creator.creatorId!, { publishedAt: new Date(base + i * 1000) }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page } = await api.request<Page>(`/api/creators/${creator.creatorId}/videos?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.body.items.map((v) => v.id));
      cursor = page.body.nextCursor;
      // A new video arrives between pages; it is newer, so it never shifts later pages.
      await seedVideo(creator.creatorId!);
    } while (cursor);
    expect(seen).toEqual([...original].reverse());
  });

  it("a channel's videoCount counts what anyone can see there", async () => {
    const creator = await api.signUpCreator("Counting Cara");
    for (const visibility of ["public", "public", "unlisted", "private"] as const) await seedVideo(creator.creatorId!, { visibility });
    const profile = await api.request<{ videoCount: number }>(`/api/creators/${creator.creatorId}`);
    expect(profile.body.videoCount).toBe(2);
  });

  it("limit and cursor are validated", async () => {
    expect((await api.request("/api/videos?limit=0")).status).toBe(400);
    expect((await api.request("/api/videos?limit=101")).status).toBe(400);
    expect((await api.request("/api/videos?cursor=garbage")).status).toBe(400);
    expect((await api.request("/api/videos?sort=random")).status).toBe(400);
  });
});
