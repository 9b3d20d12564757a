// Playback extras (API.md "Playback extras"): GET /oembed, PUT /api/me/progress/:videoId with
// `resumeAt` on the video, PUT /api/videos/:id/poster with `playback.thumbnails`, and which pages
// may be framed. The authorisation table (anonymous, viewer, other creator, owner, admin), hostile
// bodies and queries. Real Postgres, real R2 (local), inside workerd.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { OEmbed, Video } from "#contract/api.ts";
import { mediaKeys } from "#contract/media-layout.ts";
import { PROGRESS_SLACK_SECONDS, parseStartTime, resumePoint } from "#contract/playback-extras.ts";
import { videos } from "#db/schema.ts";
import worker from "#worker/index.ts";
import { nextGeneration } from "#worker/edge-cache/generation.ts";
import { DEFAULT_ORIGIN, createApiClient, makeAdmin, withDb, type Account, type RequestOptions } from "../support/api-client.ts";

const api = createApiClient(SELF);
// The suite's PUBLIC_ORIGIN (tests/worker/vitest.config.ts): the origin of "our" URLs.
const ORIGIN = "http://127.0.0.1:9";

type Seed = { visibility?: "public" | "unlisted" | "private"; status?: "ready" | "processing" | "uploading"; thumbs?: number; duration?: number | null };

async function seedVideo(creatorId: string, opts: Seed = {}) {
  const status = opts.status ?? "ready";
  const id = await withDb(env, async (db) => {
    const [row] = await db
      .insert(videos)
      .values({
        creatorId,
        title: `Extras <b>"quoted"</b> & co`,
        description: "",
        visibility: opts.visibility ?? "public",
        status,
        playable: status !== "uploading",
        progress: status === "ready" ? 100 : 40,
        durationSeconds: opts.duration === undefined ? 120 : opts.duration,
        width: 1280,
        height: 720,
        publishedAt: new Date(),
        masterKey: "",
      })
      .returning();
    return row!.id;
  });
  const keys = mediaKeys(id);
  const thumbs = opts.thumbs ?? (status === "ready" ? 4 : 0);
  const thumbnailKeys = Array.from({ length: thumbs }, (_, i) => keys.thumbnail(i + 1));
  await Promise.all(thumbnailKeys.map((key, i) => env.MEDIA.put(key, `candidate ${i + 1}`)));
  await env.MEDIA.put(keys.poster, "generated poster");
  await withDb(env, (db) => db.update(videos).set({ thumbnailKeys: status === "ready" ? thumbnailKeys : null, posterKey: keys.poster }).where(eqId(id)));
  return id;
}

const eqId = (id: string) => eq(videos.id, id);

type Actor = "anonymous" | "viewer" | "otherCreator" | "owner" | "admin";
const actorNames: Actor[] = ["anonymous", "viewer", "otherCreator", "owner", "admin"];
type Actors = Record<Exclude<Actor, "anonymous">, Account>;

async function freshActors(): Promise<Actors> {
  const [viewer, otherCreator, owner, adminViewer] = await Promise.all([api.signUp(), api.signUpCreator(), api.signUpCreator(), api.signUp()]);
  return { viewer, otherCreator, owner, admin: await makeAdmin(env, api, adminViewer) };
}

const as = (actors: Actors, actor: Actor) => (actor === "anonymous" ? undefined : actors[actor]);

describe("contract rules", () => {
  it("?t= start times: seconds, 90s, 1m30s, 1h2m3s; garbage is null", () => {
    expect(parseStartTime("90")).toBe(90);
    expect(parseStartTime("90.5")).toBe(90.5);
    expect(parseStartTime("90s")).toBe(90);
    expect(parseStartTime("1m30s")).toBe(90);
    expect(parseStartTime("1h2m3s")).toBe(3723);
    expect(parseStartTime("2m")).toBe(120);
    for (const bad of [null, "", "0", "-5", "abc", "1m30", "1e3", "Infinity", "NaN", " 5", "5 ", "1:30", "9".repeat(30), "999999999", "h", "ms"]) {
      expect(parseStartTime(bad), String(bad)).toBeNull();
    }
  });

  it("resume points: nothing before 5 s or in the last 5 %", () => {
    expect(resumePoint(null, 100)).toBeNull();
    expect(resumePoint(3, 100)).toBeNull();
    expect(resumePoint(30.7, 100)).toBe(30);
    expect(resumePoint(95, 100)).toBeNull();
    expect(resumePoint(94.9, 100)).toBe(94);
    expect(resumePoint(500, null)).toBe(500);
  });
});

describe("GET /oembed", () => {
  let owner: Account;
  let publicId: string;
  let unlistedId: string;
  let privateId: string;

  beforeAll(async () => {
    owner = await api.signUpCreator("oEmbed <Owner>");
    [publicId, unlistedId, privateId] = await Promise.all([
      seedVideo(owner.creatorId!),
      seedVideo(owner.creatorId!, { visibility: "unlisted" }),
      seedVideo(owner.creatorId!, { visibility: "private" }),
    ]);
  });

  const oembed = (query: string, opts: RequestOptions = {}) => api.request<OEmbed & { status?: number }>(`/oembed?${query}`, opts);
  const urlOf = (id: string, page = "watch") => encodeURIComponent(`${ORIGIN}/${page}/${id}`);

  it("answers oEmbed 1.0 video JSON for a public watch URL, with an escaped iframe of the embed page", async () => {
    const res = await oembed(`url=${urlOf(publicId)}&format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = res.body;
    expect(body).toMatchObject({
      version: "1.0",
      type: "video",
      title: `Extras <b>"quoted"</b> & co`,
      author_name: "oEmbed <Owner>",
      author_url: `${ORIGIN}/c/${owner.creatorId}`,
      provider_name: "Edge Video",
      provider_url: `${ORIGIN}/`,
      thumbnail_url: `${ORIGIN}/media/videos/${publicId}/poster.jpg`,
      thumbnail_width: 1280,
      thumbnail_height: 720,
      width: 640,
      height: 360,
    });
    expect(body.html).toBe(
      `<iframe src="${ORIGIN}/embed/${publicId}" width="640" height="360" title="Extras &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; co" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
    );
  });

  it("fits maxwidth and maxheight, keeping the aspect; embed URLs work too; unlisted is embeddable", async () => {
    const narrow = await oembed(`url=${urlOf(publicId)}&maxwidth=320`);
    expect([narrow.body.width, narrow.body.height]).toEqual([320, 180]);
    const low = await oembed(`url=${urlOf(publicId, "embed")}&maxwidth=1000&maxheight=200`);
    expect(low.status).toBe(200);
    expect([low.body.width, low.body.height]).toEqual([356, 200]);
    const unlisted = await oembed(`url=${urlOf(unlistedId)}`);
    expect(unlisted.status).toBe(200);
    expect(unlisted.body.html).toContain(`/embed/${unlistedId}"`);
  });

  it("private and unknown videos are 404 for everyone, the owner too (not embeddable)", async () => {
    expect((await oembed(`url=${urlOf(privateId)}`)).status).toBe(404);
    expect((await oembed(`url=${urlOf(privateId)}`, { as: owner })).status).toBe(404);
    expect((await oembed(`url=${urlOf(crypto.randomUUID())}`)).status).toBe(404);
  });

  it("a URL that is not one of ours is 400; a format other than JSON is 501; bad sizes are 400", async () => {
    const notOurs = [
      `https://evil.example/watch/${publicId}`,
      `${ORIGIN}/c/${owner.creatorId}`,
      `${ORIGIN}/watch/not-a-uuid`,
      `${ORIGIN}/watch/${publicId}/extra`,
      `${ORIGIN}/watch/%E0%A4%A`,
      `${ORIGIN}/watch/${encodeURIComponent(publicId).replace("-", "%2D")}`,
      `javascript:alert(1)//${ORIGIN}/watch/${publicId}`,
      `${ORIGIN.replace("http:", "https:")}/watch/${publicId}`,
      "",
      "x".repeat(3000),
    ];
    for (const url of notOurs) {
      const res = await oembed(`url=${encodeURIComponent(url)}`);
      expect(res.status, url.slice(0, 80)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await oembed("")).status).toBe(400);
    expect((await oembed(`url=${urlOf(publicId)}&format=xml`)).status).toBe(501);
    for (const size of ["maxwidth=0", "maxwidth=-1", "maxwidth=abc", "maxheight=1.5", "maxwidth=1e999"]) {
      expect((await oembed(`url=${urlOf(publicId)}&${size}`)).status, size).toBe(400);
    }
  });
});

describe("PUT /api/me/progress/:videoId and resumeAt", () => {
  let actors: Actors;
  let publicId: string;
  let privateId: string;

  beforeAll(async () => {
    actors = await freshActors();
    [publicId, privateId] = await Promise.all([seedVideo(actors.owner.creatorId!), seedVideo(actors.owner.creatorId!, { visibility: "private" })]);
  });

  const save = (id: string, who: Account | undefined, json: unknown, extra: RequestOptions = {}) =>
    api.request(`/api/me/progress/${id}`, { method: "PUT", as: who, json, ...extra });
  const video = (id: string, who?: Account) => api.request<Video>(`/api/videos/${id}`, { as: who });

  it("authorisation table: public video (anonymous 401, everyone signed in 204)", async () => {
    const expected: Record<Actor, number> = { anonymous: 401, viewer: 204, otherCreator: 204, owner: 204, admin: 204 };
    for (const actor of actorNames) expect((await save(publicId, as(actors, actor), { seconds: 30 })).status, actor).toBe(expected[actor]);
  });

  it("authorisation table: private video (only who can see it: owner and admin)", async () => {
    const expected: Record<Actor, number> = { anonymous: 401, viewer: 404, otherCreator: 404, owner: 204, admin: 204 };
    for (const actor of actorNames) expect((await save(privateId, as(actors, actor), { seconds: 30 })).status, actor).toBe(expected[actor]);
  });

  it("the video carries resumeAt for its caller only; the last 5 % counts as finished", async () => {
    const viewer = await api.signUp();
    const other = await api.signUp();
    expect((await video(publicId, viewer)).body.resumeAt).toBeNull();
    expect((await save(publicId, viewer, { seconds: 754.25 / 10 })).status).toBe(204);
    expect((await video(publicId, viewer)).body.resumeAt).toBe(75);
    // Overwritten by the next save.
    expect((await save(publicId, viewer, { seconds: 61 })).status).toBe(204);
    expect((await video(publicId, viewer)).body.resumeAt).toBe(61);
    expect((await video(publicId, other)).body.resumeAt).toBeNull();
    const anonymous = await video(publicId);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).not.toHaveProperty("resumeAt");
    // 118 s of 120 s: finished.
    expect((await save(publicId, viewer, { seconds: 118 })).status).toBe(204);
    expect((await video(publicId, viewer)).body.resumeAt).toBeNull();
    // Past the end by less than the slack is accepted (players overshoot), and finished.
    expect((await save(publicId, viewer, { seconds: 120 + PROGRESS_SLACK_SECONDS })).status).toBe(204);
    // liked still works beside it.
    expect((await api.request(`/api/videos/${publicId}/like`, { method: "PUT", as: viewer })).status).toBe(204);
    expect((await video(publicId, viewer)).body).toMatchObject({ liked: true, resumeAt: null });
  });

  it("hostile bodies and ids are 4xx, never 5xx, and change nothing", async () => {
    const viewer = await api.signUp();
    expect((await save(publicId, viewer, { seconds: 40 })).status).toBe(204);
    const bodies: [unknown, number][] = [
      [{ seconds: -1 }, 422],
      [{ seconds: 120 + PROGRESS_SLACK_SECONDS + 1 }, 422],
      [{ seconds: 1e308 }, 422],
      [{ seconds: "40" }, 422],
      [{ seconds: null }, 422],
      [{}, 422],
      [[], 422],
      [{ seconds: 10, extra: 1 }, 422],
      [{ seconds: { $gt: 1 } }, 422],
    ];
    for (const [json, status] of bodies) expect((await save(publicId, viewer, json)).status, JSON.stringify(json)).toBe(status);
    const raw: [RequestOptions, number][] = [
      [{ body: "{", headers: { "content-type": "application/json" } }, 400],
      [{ body: "seconds=5", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415],
      [{ body: '{"seconds":1e999}', headers: { "content-type": "application/json" } }, 422],
      [{ body: `{"seconds":${"[".repeat(100)}1${"]".repeat(100)}}`, headers: { "content-type": "application/json" } }, 400],
      [{ body: "x".repeat(70_000), headers: { "content-type": "application/json" } }, 413],
    ];
    for (const [opts, status] of raw) {
      const res = await api.request(`/api/me/progress/${publicId}`, { method: "PUT", as: viewer, ...opts });
      expect(res.status, String(opts.body).slice(0, 40)).toBe(status);
    }
    for (const id of ["not-a-uuid", crypto.randomUUID(), "%00", "..%2F..%2Fetc"]) {
      expect((await save(id, viewer, { seconds: 5 })).status, id).toBe(404);
    }
    expect((await video(publicId, viewer)).body.resumeAt).toBe(40);
  });

  it("a video of unknown duration accepts positions up to a day", async () => {
    const id = await seedVideo(actors.owner.creatorId!, { status: "processing", duration: null });
    const viewer = await api.signUp();
    expect((await save(id, viewer, { seconds: 3600 })).status).toBe(204);
    expect((await video(id, viewer)).body.resumeAt).toBe(3600);
    expect((await save(id, viewer, { seconds: 24 * 3600 + 1 })).status).toBe(422);
  });
});

describe("PUT /api/videos/:id/poster and playback.thumbnails", () => {
  let actors: Actors;

  beforeAll(async () => {
    actors = await freshActors();
  });

  const setPoster = (id: string, who: Account | undefined, json: unknown, extra: RequestOptions = {}) =>
    api.request<Video>(`/api/videos/${id}/poster`, { method: "PUT", as: who, json, ...extra });

  it("lists the candidates as playback.thumbnails", async () => {
    const id = await seedVideo(actors.owner.creatorId!);
    const res = await api.request<Video>(`/api/videos/${id}`);
    expect(res.body.playback!.thumbnails).toEqual([1, 2, 3, 4].map((n) => `${ORIGIN}/media/videos/${id}/thumbs/${n}.jpg`));
  });

  it("authorisation table: only the owner changes it (404 for everyone else, admins too: it is the creator's choice)", async () => {
    const expected: Record<Actor, number> = { anonymous: 401, viewer: 404, otherCreator: 404, owner: 200, admin: 404 };
    for (const actor of actorNames) {
      const id = await seedVideo(actors.owner.creatorId!);
      const res = await setPoster(id, as(actors, actor), { frame: 2 });
      expect(res.status, actor).toBe(expected[actor]);
      const poster = (await api.request<Video>(`/api/videos/${id}`)).body.playback!.poster;
      if (expected[actor] === 200) expect(poster).not.toBe(`${ORIGIN}/media/videos/${id}/poster.jpg`);
      else expect(poster).toBe(`${ORIGIN}/media/videos/${id}/poster.jpg`);
    }
    const privateId = await seedVideo(actors.owner.creatorId!, { visibility: "private" });
    expect((await setPoster(privateId, actors.viewer, { frame: 1 })).status).toBe(404);
    expect((await setPoster(privateId, actors.owner, { frame: 1 })).status).toBe(200);
  });

  it("the poster URL changes on every choice, serves the candidate's bytes, and the previous copy is gone", async () => {
    const id = await seedVideo(actors.owner.creatorId!);
    const first = await setPoster(id, actors.owner, { frame: 3 });
    expect(first.status).toBe(200);
    const url1 = first.body.playback!.poster!;
    expect(url1).toMatch(new RegExp(`^${ORIGIN}/media/videos/${id}/posters/[0-9a-f-]{36}\\.jpg$`));
    const media1 = await SELF.fetch(url1.replace(ORIGIN, "http://example.com"));
    expect(media1.status).toBe(200);
    expect(media1.headers.get("content-type")).toBe("image/jpeg");
    expect(await media1.text()).toBe("candidate 3");

    const again = await setPoster(id, actors.owner, { frame: 3 });
    const url2 = again.body.playback!.poster!;
    expect(url2).not.toBe(url1);
    const key1 = url1.slice(`${ORIGIN}/media/`.length);
    expect(await env.MEDIA.head(key1)).toBeNull();
    expect(await (await env.MEDIA.get(url2.slice(`${ORIGIN}/media/`.length)))!.text()).toBe("candidate 3");
    // Candidates stay as they were.
    expect(again.body.playback!.thumbnails).toHaveLength(4);
    // The watch page (server-rendered) shows the chosen poster.
    const page = await SELF.fetch(`http://example.com/watch/${id}`);
    expect(await page.text()).toContain(url2);
  });

  it("hostile bodies are 4xx and keep the poster", async () => {
    const id = await seedVideo(actors.owner.creatorId!, { thumbs: 2 });
    const bodies: [unknown, number][] = [
      [{ frame: 0 }, 422],
      [{ frame: 5 }, 422],
      [{ frame: 3 }, 422], // only two candidates
      [{ frame: 1.5 }, 422],
      [{ frame: "1" }, 422],
      [{ frame: -1 }, 422],
      [{}, 422],
      [{ frame: 1, key: "videos/other/poster.jpg" }, 422],
      [{ key: `videos/${id}/../../etc` }, 422],
    ];
    for (const [json, status] of bodies) expect((await setPoster(id, actors.owner, json)).status, JSON.stringify(json)).toBe(status);
    const image = await api.request(`/api/videos/${id}/poster`, { method: "PUT", as: actors.owner, body: new Uint8Array([0xff, 0xd8, 0xff]), headers: { "content-type": "image/jpeg" } });
    // Image bodies are re-encoded (tests/worker/poster-upload.test.ts): three bytes of JPEG are no image.
    expect(image.status).toBe(422);
    expect((await setPoster("not-a-uuid", actors.owner, { frame: 1 })).status).toBe(404);
    const res = await api.request<Video>(`/api/videos/${id}`);
    expect(res.body.playback!.poster).toBe(`${ORIGIN}/media/videos/${id}/poster.jpg`);
  });

  it("before the stills task made the candidates there are none to pick: 409", async () => {
    const id = await seedVideo(actors.owner.creatorId!, { status: "processing" });
    const res = await setPoster(id, actors.owner, { frame: 1 });
    expect(res.status).toBe(409);
    expect((await api.request<Video>(`/api/videos/${id}`, { as: actors.owner })).body.playback!.thumbnails).toEqual([]);
  });
});

describe("framing", () => {
  it("/embed/:id may be framed by any site; watch and other pages refuse", async () => {
    const owner = await api.signUpCreator();
    const id = await seedVideo(owner.creatorId!);
    const embed = await SELF.fetch(`http://example.com/embed/${id}`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get("x-frame-options")).toBeNull();
    expect(embed.headers.get("content-security-policy")).toContain("frame-ancestors *");
    for (const path of [`/watch/${id}`, "/", "/embed", `/embed/${id}/x`, "/login"]) {
      const res = await SELF.fetch(`http://example.com${path}`);
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
    }
  });

  it("private videos have no embed page (404); unlisted ones do; watch pages link their oEmbed", async () => {
    const owner = await api.signUpCreator();
    const [privateId, unlistedId] = await Promise.all([seedVideo(owner.creatorId!, { visibility: "private" }), seedVideo(owner.creatorId!, { visibility: "unlisted" })]);
    expect((await SELF.fetch(`http://example.com/embed/${privateId}`)).status).toBe(404);
    expect((await SELF.fetch(`http://example.com/embed/${crypto.randomUUID()}`)).status).toBe(404);
    const unlisted = await SELF.fetch(`http://example.com/embed/${unlistedId}`);
    expect(unlisted.status).toBe(200);
    await unlisted.body?.cancel();
    const watch = await (await SELF.fetch(`http://example.com/watch/${unlistedId}`)).text();
    const link = /<link[^>]*type="application\/json\+oembed"[^>]*>/.exec(watch)?.[0];
    expect(link).toBeDefined();
    const href = /href="([^"]+)"/.exec(link!)![1]!.replaceAll("&amp;", "&");
    const discovery = new URL(href);
    expect(discovery.pathname).toBe("/oembed");
    expect(discovery.searchParams.get("format")).toBe("json");
    expect(discovery.searchParams.get("url")).toBe(`http://example.com/watch/${unlistedId}`);
    // The discovered URL answers.
    const answer = await SELF.fetch(`http://example.com${discovery.pathname}${discovery.search}`);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as OEmbed).html).toContain(`/embed/${unlistedId}`);
  });
});

describe("edge cache", () => {
  // The Worker's own fetch handler with the edge cache on (SELF runs with EDGE_CACHE=off).
  const cached = async (path: string) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(new Request(DEFAULT_ORIGIN + path) as Request<unknown, IncomingRequestCfProperties>, { ...env, EDGE_CACHE: "on" }, ctx);
    await waitOnExecutionContext(ctx);
    await res.body?.cancel();
    return res;
  };

  it("anonymous embed pages and oEmbed answers are served from the edge; a video made private stops at once", async () => {
    await nextGeneration(DEFAULT_ORIGIN);
    const owner = await api.signUpCreator();
    const id = await seedVideo(owner.creatorId!);
    const oembedPath = `/oembed?url=${encodeURIComponent(`${DEFAULT_ORIGIN}/watch/${id}`)}`;
    for (const path of [`/embed/${id}`, oembedPath]) {
      expect((await cached(path)).headers.get("x-cache"), path).toBe("MISS");
      const again = await cached(path);
      expect(again.headers.get("x-cache"), path).toBe("HIT");
      expect(again.status, path).toBe(200);
    }
    const embed = await cached(`/embed/${id}`);
    expect(embed.headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect(embed.headers.get("x-frame-options")).toBeNull();
    expect((await api.request(`/api/videos/${id}`, { method: "PATCH", as: owner, json: { visibility: "private" } })).status).toBe(200);
    expect((await cached(`/embed/${id}`)).status).toBe(404);
    expect((await cached(oembedPath)).status).toBe(404);
  });
});
