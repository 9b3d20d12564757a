// The edge cache (worker/edge-cache) in front of the real Worker: anonymous public reads are
// served from this data center's Cache API, signed-in ones never; a video made private or
// deleted stops being served at once here and, anywhere, once a copy is older than the TTL; with
// the database down, cached public pages keep being served and the rest answers 503.
import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { nextGeneration } from "#worker/edge-cache/generation.ts";
import { FRESH_SECONDS, MAX_AGE_SECONDS } from "#worker/edge-cache/policy.ts";
import { forget, recall } from "#worker/edge-cache/memory.ts";
import { STORED_AT, edgeCacheKey } from "#worker/edge-cache/serve.ts";
import worker from "#worker/index.ts";
import { DEFAULT_ORIGIN, createApiClient, type Account, type Fetcher } from "../support/api-client.ts";

type Bindings = typeof env;

/** The Worker's own fetch handler (SELF runs with the suite's EDGE_CACHE=off), cache on. */
function workerWith(overrides: Partial<Bindings> = {}): Fetcher {
  return {
    async fetch(input, init) {
      const ctx = createExecutionContext();
      const res = await worker.fetch!(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, EDGE_CACHE: "on", ...overrides }, ctx);
      // Stores and background refreshes finish before the test looks again.
      await waitOnExecutionContext(ctx);
      return res;
    },
  };
}

const api = createApiClient(workerWith());
// The same Worker whose database is unreachable (nothing listens on port 1).
const apiWithoutDatabase = createApiClient(workerWith({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/unreachable" }));

let handle: DatabaseHandle;
let owner: Account;
let viewer: Account;

async function seedPublicVideo(title: string): Promise<string> {
  const [row] = await handle.db
    .insert(videos)
    .values({ creatorId: owner.creatorId!, title, description: "edge cache test", visibility: "public", status: "ready", playable: true, progress: 100, durationSeconds: 30, width: 640, height: 360, publishedAt: new Date(), masterKey: "" })
    .returning();
  const id = row!.id;
  await handle.db.update(videos).set({ masterKey: `videos/${id}/master.m3u8` }).where(eq(videos.id, id));
  await env.MEDIA.put(`videos/${id}/master.m3u8`, "#EXTM3U\n");
  return id;
}

/** Makes the cached copy of `path` look `seconds` old (as another data center's copy would be). */
async function ageCopy(path: string, seconds: number) {
  const key = edgeCacheKey(new Request(DEFAULT_ORIGIN + path));
  const copy = await caches.default.match(key);
  expect(copy, `a cached copy of ${path}`).toBeDefined();
  const aged = new Response(copy!.body, copy!);
  aged.headers.set(STORED_AT, String(Date.now() - seconds * 1000));
  await caches.default.put(key, aged);
  // This isolate's own copy ages with it (it is as old as the stored one).
  forget(key.url);
}

const listIds = (body: unknown) => (body as { items: { id: string }[] }).items.map((v) => v.id);

beforeAll(async () => {
  handle = openDatabase(env);
  owner = await api.signUpCreator("Cache Owner");
  viewer = await api.signUp();
});

afterAll(() => handle.close());

// Every test starts from an empty cache.
beforeEach(() => nextGeneration(DEFAULT_ORIGIN));

describe("anonymous public reads come from the edge cache", () => {
  it("MISS, then HIT with the same answer, for lists, one video and pages", async () => {
    const id = await seedPublicVideo("Cached kestrel video");
    for (const path of ["/api/videos?sort=latest", `/api/videos/${id}`, `/api/creators/${owner.creatorId}/videos`, "/api/search?q=kestrel", "/", `/watch/${id}`]) {
      const first = await api.request(path);
      expect(first.status, path).toBe(200);
      expect(first.headers.get("x-cache"), path).toBe("MISS");
      const second = await api.request(path);
      expect(second.headers.get("x-cache"), path).toBe("HIT");
      if (path.startsWith("/api/")) expect(second.body, path).toEqual(first.body);
    }
  });

  it("a cached page gets a new CSP nonce for every visitor", async () => {
    const id = await seedPublicVideo("Nonce video");
    const nonceOf = (res: { headers: Headers; text: string }) => {
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
      expect(nonce).toBeTruthy();
      expect(res.text).toContain(`nonce="${nonce}"`);
      return nonce;
    };
    const first = await api.request(`/watch/${id}`);
    const second = await api.request(`/watch/${id}`);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(nonceOf(second)).not.toBe(nonceOf(first));
  });

  it("after FRESH_SECONDS a copy is served STALE and refreshed in the background", async () => {
    const id = await seedPublicVideo("Stale video");
    await api.request(`/api/videos/${id}`);
    await handle.db.update(videos).set({ title: "Stale video, renamed" }).where(eq(videos.id, id));
    await ageCopy(`/api/videos/${id}`, FRESH_SECONDS + 1);
    const stale = await api.request<{ title: string }>(`/api/videos/${id}`);
    expect(stale.headers.get("x-cache")).toBe("STALE");
    expect(stale.body.title).toBe("Stale video");
    const refreshed = await api.request<{ title: string }>(`/api/videos/${id}`);
    expect(refreshed.headers.get("x-cache")).toBe("HIT");
    expect(refreshed.body.title).toBe("Stale video, renamed");
  });
});

describe("signed-in responses are never cached or shared", () => {
  it("bearer and cookie requests bypass the cache; what they get is never served to anyone else", async () => {
    const id = await seedPublicVideo("Personal video");
    // Signed in first: nothing is stored, so the anonymous visitor next gets a fresh MISS.
    const signedIn = await api.request(`/`, { as: owner, auth: "cookie" });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("x-cache")).toBeNull();
    expect(signedIn.text).toContain('href="/studio"');
    const anonymous = await api.request(`/`);
    expect(anonymous.headers.get("x-cache")).toBe("MISS");
    expect(anonymous.text).not.toContain('href="/studio"');
    // Cached now for anonymous visitors; signed-in people still get their own page.
    for (const as of [owner, viewer]) {
      const page = await api.request(`/`, { as, auth: "cookie" });
      expect(page.headers.get("x-cache")).toBeNull();
      expect(page.text.includes('href="/studio"')).toBe(as === owner);
      const json = await api.request(`/api/videos/${id}`, { as });
      expect(json.headers.get("x-cache")).toBeNull();
    }
    expect((await api.request(`/`)).headers.get("x-cache")).toBe("HIT");
  });

  it("a response that sets a cookie is not stored", async () => {
    const res = await api.request("/api/videos?sort=latest", { cookies: { access_token: "expired-or-bogus" } });
    expect(res.headers.get("x-cache")).toBeNull();
    expect((await api.request("/api/videos?sort=latest")).headers.get("x-cache")).toBe("MISS");
  });
});

describe("a video that stops being public stops being served from the cache", () => {
  it("made private: gone at once from this data center's lists, video and watch page", async () => {
    const id = await seedPublicVideo("Soon private video");
    for (const path of ["/api/videos?sort=latest", `/api/videos/${id}`, `/watch/${id}`]) {
      await api.request(path);
      expect((await api.request(path)).headers.get("x-cache")).toBe("HIT");
    }
    const patched = await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "private" } });
    expect(patched.status).toBe(200);
    expect(listIds((await api.request("/api/videos?sort=latest")).body)).not.toContain(id);
    expect((await api.request(`/api/videos/${id}`)).status).toBe(404);
    expect((await api.request(`/watch/${id}`)).status).toBe(404);
  });

  it("deleted: gone at once here", async () => {
    const id = await seedPublicVideo("Soon deleted video");
    await api.request(`/api/videos/${id}`);
    await api.request(`/api/creators/${owner.creatorId}/videos`);
    expect((await api.request(`/api/videos/${id}`)).headers.get("x-cache")).toBe("HIT");
    expect((await api.request(`/api/videos/${id}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await api.request(`/api/videos/${id}`)).status).toBe(404);
    expect(listIds((await api.request(`/api/creators/${owner.creatorId}/videos`)).body)).not.toContain(id);
  });

  it("a purge made by another isolate (only the data center's generation changes) applies here at once", async () => {
    const path = "/api/videos?sort=latest";
    await api.request(path);
    expect((await api.request(path)).headers.get("x-cache")).toBe("HIT");
    // This isolate's memory still holds a fresh copy; only the shared generation moves.
    expect(recall(edgeCacheKey(new Request(DEFAULT_ORIGIN + path)).url)).toBeDefined();
    await nextGeneration(DEFAULT_ORIGIN);
    expect((await api.request(path)).headers.get("x-cache")).toBe("MISS");
  });

  it("a fresh copy in this isolate's memory answers without the Cache API's copy", async () => {
    const path = "/api/videos?sort=latest";
    const first = await api.request(path);
    await caches.default.delete(edgeCacheKey(new Request(DEFAULT_ORIGIN + path)));
    const second = await api.request(path);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toEqual(first.body);
  });

  it("a copy stored before a purge is never served, though the Cache API still holds it", async () => {
    const path = "/api/videos?sort=latest";
    await api.request(path);
    expect((await api.request(path)).headers.get("x-cache")).toBe("HIT");
    await nextGeneration(DEFAULT_ORIGIN);
    // The old copy is still there (copies are keyed without their generation)…
    const old = await caches.default.match(edgeCacheKey(new Request(DEFAULT_ORIGIN + path)));
    expect(old).toBeDefined();
    await old?.body?.cancel();
    // …but it belongs to the previous generation: a miss, then the new copy is served.
    const after = await api.request(path);
    expect(after.headers.get("x-cache")).toBe("MISS");
    expect(after.headers.get("x-edge-generation")).toBeNull();
    expect((await api.request(path)).headers.get("x-cache")).toBe("HIT");
  });

  it("changed where no purge reached (another data center): never served once older than the TTL", async () => {
    const id = await seedPublicVideo("Hidden elsewhere video");
    await api.request(`/api/videos/${id}`);
    await api.request("/api/videos?sort=latest");
    // Hidden straight in the database: this data center's copies were not purged.
    await handle.db.update(videos).set({ visibility: "private" }).where(eq(videos.id, id));
    expect((await api.request(`/api/videos/${id}`)).headers.get("x-cache")).toBe("HIT");
    // Copies are kept for at most MAX_AGE_SECONDS (the Cache API drops them; the Worker checks too).
    await ageCopy(`/api/videos/${id}`, MAX_AGE_SECONDS);
    await ageCopy("/api/videos?sort=latest", MAX_AGE_SECONDS);
    expect((await api.request(`/api/videos/${id}`)).status).toBe(404);
    expect(listIds((await api.request("/api/videos?sort=latest")).body)).not.toContain(id);
    // A stale copy's background refresh drops it as soon as the origin says 404.
    const other = await seedPublicVideo("Hidden while stale video");
    await api.request(`/api/videos/${other}`);
    await handle.db.update(videos).set({ visibility: "private" }).where(eq(videos.id, other));
    await ageCopy(`/api/videos/${other}`, FRESH_SECONDS + 1);
    expect((await api.request(`/api/videos/${other}`)).headers.get("x-cache")).toBe("STALE");
    expect((await api.request(`/api/videos/${other}`)).status).toBe(404);
  });

  it("a scheduled video reaches cached lists within the TTL after its publishAt, with no write to purge them", async () => {
    const id = await seedPublicVideo("Scheduled heron video");
    const later = new Date(Date.now() + 3_600_000);
    await handle.db.update(videos).set({ publishAt: later, publishedAt: later }).where(eq(videos.id, id));
    const path = "/api/videos?sort=latest";
    const before = await api.request(path);
    expect(before.headers.get("x-cache")).toBe("MISS");
    expect(listIds(before.body)).not.toContain(id);
    // Its time comes: no request changed anything, so nothing purged the copy, which says "not yet"…
    await handle.db.execute(sql`update videos set publish_at = now() - interval '1 second', published_at = now() - interval '1 second' where id = ${id}`);
    const cached = await api.request(path);
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(listIds(cached.body)).not.toContain(id);
    // …until it is FRESH_SECONDS old: served once more while refreshed, then the new list.
    await ageCopy(path, FRESH_SECONDS + 1);
    expect((await api.request(path)).headers.get("x-cache")).toBe("STALE");
    const refreshed = await api.request(path);
    expect(refreshed.headers.get("x-cache")).toBe("HIT");
    expect(listIds(refreshed.body)).toContain(id);
  });

  it("stored copies expire from the Cache API at MAX_AGE_SECONDS (≤ 60 s)", async () => {
    expect(MAX_AGE_SECONDS).toBeLessThanOrEqual(60);
    await api.request("/api/videos?sort=latest");
    const copy = await caches.default.match(edgeCacheKey(new Request(`${DEFAULT_ORIGIN}/api/videos?sort=latest`)));
    expect(copy?.headers.get("cache-control")).toBe(`public, max-age=${MAX_AGE_SECONDS}`);
    await copy?.body?.cancel();
  });
});

describe("database down", () => {
  it("cached public pages keep being served (fresh and stale); uncached routes answer 503 problem+json", async () => {
    const id = await seedPublicVideo("Outage video");
    for (const path of ["/", `/watch/${id}`, `/api/videos/${id}`]) await api.request(path);
    for (const path of ["/", `/watch/${id}`, `/api/videos/${id}`]) {
      const res = await apiWithoutDatabase.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("x-cache"), path).toBe("HIT");
    }
    // Stale: the refresh fails, the copy stays and keeps being served.
    await ageCopy(`/watch/${id}`, FRESH_SECONDS + 1);
    for (let i = 0; i < 2; i++) {
      const res = await apiWithoutDatabase.request(`/watch/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-cache")).toBe("STALE");
    }
    for (const [path, as] of [["/api/videos?sort=trending", undefined], ["/api/feed/following", viewer], ["/api/me", viewer]] as const) {
      const res = await apiWithoutDatabase.request(path, { as });
      expect(res.status, path).toBe(503);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    }
  });
});
