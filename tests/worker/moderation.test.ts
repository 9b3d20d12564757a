// Reports and moderation (API.md "Reports and moderation", issue #14): the authorisation table
// of every route, one open report per reporter and target, the admin queue grouped by target,
// removal that vanishes from metadata, media, lists, search, feed, channel, RSS and comments
// (and comes back when reversed), suspension that blocks sign-in, refresh and writes (and is
// undone by unsuspend), and hostile bodies. Real Postgres, real R2, real Durable Objects.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { REPORT_DETAIL_MAX, type Comment, type ModerationLogEntry, type Page, type ReportGroup, type Video } from "#contract/api.ts";
import { mediaKeys } from "#contract/media-layout.ts";
import { reports } from "#db/community-schema.ts";
import { comments, videos } from "#db/schema.ts";
import worker from "#worker/index.ts";
import { createApiClient, makeAdmin, withDb, type Account, type Fetcher, type RequestOptions } from "../support/api-client.ts";
import { seedComment, seedVideo } from "./support/seed-video.ts";

const api = createApiClient(SELF);
const ORIGIN = api.origin;

const report = (as: Account | undefined, json: unknown, extra: RequestOptions = {}) => api.request<{ id: string }>("/api/reports", { method: "POST", as, json, ...extra });
const resolve = (as: Account, reportId: string, action: string) =>
  api.request<{ action: string; resolved: number }>(`/api/admin/reports/${reportId}/resolve`, { method: "POST", as, json: { action } });
const queue = (as: Account, query = "") => api.request<Page<ReportGroup>>(`/api/admin/reports${query}`, { as });

type Actor = "anonymous" | "viewer" | "otherCreator" | "owner" | "admin";
const actorNames: Actor[] = ["anonymous", "viewer", "otherCreator", "owner", "admin"];
type Actors = Record<Exclude<Actor, "anonymous">, Account>;

async function freshActors(): Promise<Actors> {
  const [viewer, otherCreator, owner, adminViewer] = await Promise.all([api.signUp(), api.signUpCreator(), api.signUpCreator(), api.signUp()]);
  return { viewer, otherCreator, owner, admin: await makeAdmin(env, api, adminViewer) };
}

describe("authorisation table", () => {
  type Setup = { actors: Actors; videoId: string; privateVideoId: string; commentId: string; reportId: string; target: Account };
  const adminOnly = (ok: number) => ({ anonymous: 401, viewer: 403, otherCreator: 403, owner: 403, admin: ok });
  const rows: { route: string; request: (s: Setup) => [string, RequestOptions]; expected: Record<Actor, number> }[] = [
    {
      route: "POST /api/reports (public video)",
      request: (s) => ["/api/reports", { method: "POST", json: { target: { kind: "video", id: s.videoId }, reason: "spam" } }],
      expected: { anonymous: 401, viewer: 201, otherCreator: 201, owner: 201, admin: 201 },
    },
    {
      route: "POST /api/reports (private video)",
      request: (s) => ["/api/reports", { method: "POST", json: { target: { kind: "video", id: s.privateVideoId }, reason: "spam" } }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 201, admin: 201 },
    },
    {
      route: "POST /api/reports (comment)",
      request: (s) => ["/api/reports", { method: "POST", json: { target: { kind: "comment", id: s.commentId }, reason: "abuse" } }],
      expected: { anonymous: 401, viewer: 201, otherCreator: 201, owner: 201, admin: 201 },
    },
    {
      route: "POST /api/reports (creator)",
      request: (s) => ["/api/reports", { method: "POST", json: { target: { kind: "creator", id: s.actors.owner.creatorId }, reason: "other", detail: "impersonation" } }],
      expected: { anonymous: 401, viewer: 201, otherCreator: 201, owner: 201, admin: 201 },
    },
    { route: "GET /api/admin/reports", request: () => ["/api/admin/reports", {}], expected: adminOnly(200) },
    { route: "GET /api/admin/moderation-log", request: () => ["/api/admin/moderation-log", {}], expected: adminOnly(200) },
    {
      route: "POST /api/admin/reports/:id/resolve",
      request: (s) => [`/api/admin/reports/${s.reportId}/resolve`, { method: "POST", json: { action: "dismiss" } }],
      expected: adminOnly(200),
    },
    { route: "POST /api/admin/users/:id/suspend", request: (s) => [`/api/admin/users/${s.target.user.id}/suspend`, { method: "POST" }], expected: adminOnly(204) },
    { route: "POST /api/admin/users/:id/unsuspend", request: (s) => [`/api/admin/users/${s.target.user.id}/unsuspend`, { method: "POST" }], expected: adminOnly(204) },
    { route: "POST /api/admin/videos/:id/restore", request: (s) => [`/api/admin/videos/${s.videoId}/restore`, { method: "POST" }], expected: adminOnly(204) },
    { route: "POST /api/admin/comments/:id/restore", request: (s) => [`/api/admin/comments/${s.commentId}/restore`, { method: "POST" }], expected: adminOnly(204) },
  ];

  let actors: Actors;
  let target: Account;
  beforeAll(async () => {
    [actors, target] = await Promise.all([freshActors(), api.signUp()]);
  });

  for (const row of rows) {
    it(row.route, async () => {
      const got: Record<string, number> = {};
      for (const actor of actorNames) {
        const videoId = await seedVideo(actors.owner.creatorId!);
        const privateVideoId = await seedVideo(actors.owner.creatorId!, { visibility: "private" });
        const commentId = await seedComment(videoId, actors.viewer.user.id);
        // Filed directly: reports through the API are rate limited per account.
        const reportId = await withDb(env, async (db) => (await db.insert(reports).values({ reporterId: target.user.id, targetKind: "video", targetId: videoId, reason: "spam" }).returning())[0]!.id);
        const [path, options] = row.request({ actors, videoId, privateVideoId, commentId, reportId, target });
        const res = await api.request(path, { ...options, as: actor === "anonymous" ? undefined : actors[actor] });
        got[actor] = res.status;
        if (res.status >= 400) expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      }
      expect(got).toEqual(row.expected);
    });
  }
});

describe("reports", () => {
  let owner: Account;
  let viewer: Account;
  let admin: Account;
  beforeAll(async () => {
    [owner, viewer] = await Promise.all([api.signUpCreator("Reported Rita"), api.signUp()]);
    admin = await makeAdmin(env, api, await api.signUp());
  });

  it("one open report per reporter and target: the repeat answers 200 with the same id; after resolution a new one opens", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const first = await report(viewer, { target: { kind: "video", id: videoId }, reason: "spam", detail: "  buy now  " });
    expect(first.status).toBe(201);
    const again = await report(viewer, { target: { kind: "video", id: videoId }, reason: "abuse" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await resolve(admin, first.body.id, "dismiss")).body).toMatchObject({ action: "dismiss", resolved: 1 });
    const reopened = await report(viewer, { target: { kind: "video", id: videoId }, reason: "spam" });
    expect(reopened.status).toBe(201);
    expect(reopened.body.id).not.toBe(first.body.id);
  });

  it("hostile bodies are 4xx problems, unknown targets 404", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const ok = { target: { kind: "video", id: videoId }, reason: "spam" };
    const bad: unknown[] = [
      {},
      { ...ok, reason: "boring" },
      { ...ok, target: { kind: "playlist", id: videoId } },
      { ...ok, target: { kind: "video", id: "not-a-uuid" } },
      { ...ok, target: { kind: "video", id: 5 } },
      { ...ok, target: "video" },
      { ...ok, detail: "x".repeat(REPORT_DETAIL_MAX + 1) },
      { ...ok, detail: 42 },
      { ...ok, extra: true },
      [ok],
      "spam",
      null,
    ];
    for (const json of bad) {
      const res = await report(viewer, json);
      expect(res.status, JSON.stringify(json).slice(0, 60)).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await report(viewer, undefined, { body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await report(viewer, undefined, { body: "x".repeat(70_000), headers: { "content-type": "application/json" } })).status).toBe(413);
    for (const kind of ["video", "comment", "creator"]) {
      expect((await report(viewer, { target: { kind, id: crypto.randomUUID() }, reason: "spam" })).status).toBe(404);
    }
    expect((await report(viewer, { ...ok, detail: "x".repeat(REPORT_DETAIL_MAX) })).status).toBe(201);
  });

  it("the admin queue groups by target with reporter and reason counts, pages with a cursor, and shows resolved groups", async () => {
    const [second, third] = await Promise.all([api.signUp(), api.signUp()]);
    const videoId = await seedVideo(owner.creatorId!, { title: "<b>Queue</b> video" });
    const commentId = await seedComment(videoId, viewer.user.id, "nasty words");
    await report(viewer, { target: { kind: "video", id: videoId }, reason: "spam", detail: "first detail" });
    await report(second, { target: { kind: "video", id: videoId }, reason: "spam" });
    await report(third, { target: { kind: "video", id: videoId }, reason: "copyright", detail: "my song" });
    const onComment = (await report(second, { target: { kind: "comment", id: commentId }, reason: "abuse" })).body.id;

    const all: ReportGroup[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof queue>> = await queue(admin, `?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all.map((g) => `${g.target.kind}:${g.target.id}`)).size).toBe(all.length);
    const video = all.find((g) => g.target.id === videoId)!;
    expect(video).toMatchObject({ status: "open", reporterCount: 3, reasons: { spam: 2, copyright: 1, abuse: 0 }, resolution: null });
    expect(video.details).toEqual(["my song", "first detail"]);
    expect(video.target).toMatchObject({ kind: "video", gone: false, title: "<b>Queue</b> video", removed: false, owner: { userId: owner.user.id, displayName: "Reported Rita" } });
    const comment = all.find((g) => g.target.id === commentId)!;
    expect(comment).toMatchObject({ id: onComment, reporterCount: 1, target: { kind: "comment", excerpt: "nasty words", videoId, owner: { userId: viewer.user.id } } });
    // Newest report first.
    expect(all.findIndex((g) => g.target.id === commentId)).toBeLessThan(all.findIndex((g) => g.target.id === videoId));

    const done = await resolve(admin, video.id, "dismiss");
    expect(done.body).toEqual({ action: "dismiss", target: { kind: "video", id: videoId }, resolved: 3 });
    expect((await queue(admin, "?limit=100")).body.items.some((g) => g.target.id === videoId)).toBe(false);
    const resolved = await queue(admin, "?status=resolved&limit=100");
    expect(resolved.body.items.find((g) => g.target.id === videoId)).toMatchObject({ status: "resolved", resolution: "dismiss", reporterCount: 3 });

    for (const q of ["?status=closed", "?limit=0", "?limit=101", "?cursor=bm9wZQ", "?limit=x"]) expect((await queue(admin, q)).status, q).toBe(400);
    for (const [id, json] of [
      [video.id, { action: "ban" }],
      [video.id, {}],
      [video.id, { action: "dismiss", more: 1 }],
    ] as const) {
      expect((await api.request(`/api/admin/reports/${id}/resolve`, { method: "POST", as: admin, json })).status).toBe(400);
    }
    for (const id of ["nope", crypto.randomUUID()]) expect((await resolve(admin, id, "dismiss")).status).toBe(404);
    for (const path of ["users/nope/suspend", `users/${crypto.randomUUID()}/suspend`, "videos/1/restore", `comments/${crypto.randomUUID()}/restore`]) {
      expect((await api.request(`/api/admin/${path}`, { method: "POST", as: admin })).status, path).toBe(404);
    }
  });
});

const media = (id: string, path = "master.m3u8") => SELF.fetch(`${ORIGIN}/media/videos/${id}/${path}`);

describe("removing a video", () => {
  let owner: Account;
  let viewer: Account;
  let admin: Account;
  beforeAll(async () => {
    [owner, viewer] = await Promise.all([api.signUpCreator("Removable Rex"), api.signUp()]);
    admin = await makeAdmin(env, api, await api.signUp());
    expect((await api.request(`/api/creators/${owner.creatorId}/follow`, { method: "PUT", as: viewer })).status).toBe(204);
  });

  const word = () => `zq${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;

  /** Where a public video shows up; each entry is whether it is there. */
  async function presence(videoId: string, title: string) {
    const has = (items: { id: string }[]) => items.some((v) => v.id === videoId);
    const [meta, metaOwner, metaAdmin, latest, search, feed, channel, rss, commentsRes, file] = await Promise.all([
      api.request(`/api/videos/${videoId}`),
      api.request(`/api/videos/${videoId}`, { as: owner }),
      api.request<Video>(`/api/videos/${videoId}`, { as: admin }),
      api.request<Page<Video>>("/api/videos?limit=100"),
      api.request<Page<Video>>(`/api/search?q=${title}`),
      api.request<Page<Video>>("/api/feed/following", { as: viewer }),
      api.request<Page<Video>>(`/api/creators/${owner.creatorId}/videos`),
      SELF.fetch(`${ORIGIN}/c/${owner.creatorId}/rss`).then((r) => r.text()),
      api.request(`/api/videos/${videoId}/comments`),
      media(videoId),
    ]);
    await file.arrayBuffer();
    return {
      metadata: meta.status,
      ownerMetadata: metaOwner.status,
      adminMetadata: metaAdmin.status,
      latest: has(latest.body.items),
      search: has(search.body.items),
      feed: has(feed.body.items),
      channel: has(channel.body.items),
      rss: rss.includes(videoId),
      comments: commentsRes.status,
      media: file.status,
    };
  }
  const shown = { metadata: 200, ownerMetadata: 200, adminMetadata: 200, latest: true, search: true, feed: true, channel: true, rss: true, comments: 200, media: 200 };
  const hidden = { metadata: 404, ownerMetadata: 404, adminMetadata: 200, latest: false, search: false, feed: false, channel: false, rss: false, comments: 404, media: 404 };

  it("a report resolved with remove takes it down everywhere but for admins; the owner sees it as removed; restore brings it back", async () => {
    const title = word();
    const videoId = await seedVideo(owner.creatorId!, { title });
    expect(await presence(videoId, title)).toEqual(shown);
    const filed = await report(viewer, { target: { kind: "video", id: videoId }, reason: "violence" });
    const done = await resolve(admin, filed.body.id, "remove");
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ action: "remove", resolved: 1 });
    expect(await presence(videoId, title)).toEqual(hidden);

    // The owner's studio list (the channel as its owner sees it) says removed; admins get status and signed media.
    const studio = await api.request<Page<Video>>(`/api/creators/${owner.creatorId}/videos`, { as: owner });
    expect(studio.body.items.find((v) => v.id === videoId)?.status).toBe("removed");
    const asAdmin = await api.request<Video>(`/api/videos/${videoId}`, { as: admin });
    expect(asAdmin.body.status).toBe("removed");
    expect(asAdmin.body.playback!.hls).toContain("/media/s/");
    const signed = await SELF.fetch(asAdmin.body.playback!.hls);
    expect(signed.status).toBe(200);
    await signed.arrayBuffer();
    // Nobody else can report or comment on it any more.
    expect((await report(viewer, { target: { kind: "video", id: videoId }, reason: "spam" })).status).toBe(404);
    expect((await api.request(`/api/videos/${videoId}/comments`, { method: "POST", as: viewer, json: { body: "hi" } })).status).toBe(404);

    const log = await api.request<Page<ModerationLogEntry>>("/api/admin/moderation-log?limit=100", { as: admin });
    const entry = log.body.items.find((e) => e.target.id === videoId)!;
    expect(entry).toMatchObject({ action: "remove", target: { kind: "video" }, admin: { id: admin.user.id }, reportId: filed.body.id, reversible: true });

    expect((await api.request(`/api/admin/videos/${videoId}/restore`, { method: "POST", as: admin })).status).toBe(204);
    expect(await presence(videoId, title)).toEqual(shown);
    // Restoring what is not removed changes and logs nothing.
    expect((await api.request(`/api/admin/videos/${videoId}/restore`, { method: "POST", as: admin })).status).toBe(204);
    const after = await api.request<Page<ModerationLogEntry>>("/api/admin/moderation-log?limit=100", { as: admin });
    expect(after.body.items.filter((e) => e.target.id === videoId).map((e) => [e.action, e.reversible])).toEqual([
      ["unremove", false],
      ["remove", false],
    ]);
  });

  it("a removed private video stays private when restored", async () => {
    const videoId = await seedVideo(owner.creatorId!, { visibility: "private" });
    const filed = await report(owner, { target: { kind: "video", id: videoId }, reason: "other" });
    expect((await resolve(admin, filed.body.id, "remove")).status).toBe(200);
    expect((await api.request(`/api/admin/videos/${videoId}/restore`, { method: "POST", as: admin })).status).toBe(204);
    expect((await media(videoId)).status).toBe(404);
    expect((await api.request(`/api/videos/${videoId}`, { as: owner })).status).toBe(200);
  });

  it("a removed comment becomes a tombstone for everyone and comes back when restored", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const commentId = await seedComment(videoId, viewer.user.id, "rude remark");
    const filed = await report(owner, { target: { kind: "comment", id: commentId }, reason: "abuse" });
    expect((await resolve(admin, filed.body.id, "remove")).body).toMatchObject({ action: "remove", target: { kind: "comment", id: commentId } });
    for (const as of [undefined, viewer, admin]) {
      const listed = await api.request<Page<Comment>>(`/api/videos/${videoId}/comments`, { as });
      expect(listed.body.items.find((c) => c.id === commentId)).toMatchObject({ body: "", deleted: true });
    }
    expect((await api.request(`/api/comments/${commentId}`, { method: "PATCH", as: viewer, json: { body: "edited" } })).status).toBe(404);
    expect((await api.request(`/api/videos/${videoId}/comments`, { method: "POST", as: viewer, json: { body: "reply", parentId: commentId } })).status).toBe(404);
    expect((await report(viewer, { target: { kind: "comment", id: commentId }, reason: "spam" })).status).toBe(404);
    expect((await api.request(`/api/admin/comments/${commentId}/restore`, { method: "POST", as: admin })).status).toBe(204);
    const back = await api.request<Page<Comment>>(`/api/videos/${videoId}/comments`);
    expect(back.body.items.find((c) => c.id === commentId)).toMatchObject({ body: "rude remark", deleted: false });
  });
});

describe("suspending an account", () => {
  it("blocks sign-in, refresh and writes with tokens it holds, hides its videos; unsuspend restores all of it", async () => {
    const name = `Suspended ${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    const [creator, viewer] = await Promise.all([api.signUpCreator(name), api.signUp()]);
    const searchCreators = async () => (await api.request<{ creators: { id: string }[] }>(`/api/search?q=${encodeURIComponent(name)}`)).body.creators.map((c) => c.id);
    const admin = await makeAdmin(env, api, await api.signUp());
    const videoId = await seedVideo(creator.creatorId!);
    const otherVideo = await seedVideo(viewer.creatorId ?? (await api.signUpCreator()).creatorId!);
    const filed = await report(viewer, { target: { kind: "creator", id: creator.creatorId }, reason: "spam" });
    expect(await searchCreators()).toEqual([creator.creatorId]);
    const done = await resolve(admin, filed.body.id, "suspend-creator");
    expect(done.body).toMatchObject({ action: "suspend-creator", resolved: 1 });

    const login = await api.request("/api/auth/login", { method: "POST", json: { email: creator.email, password: creator.password } });
    expect(login.status).toBe(403);
    expect(login.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    // The wrong password still answers the usual 401: suspension is not revealed to a guesser.
    expect((await api.request("/api/auth/login", { method: "POST", json: { email: creator.email, password: "wrong password 123" } })).status).toBe(401);
    expect((await api.request("/api/auth/refresh", { method: "POST", json: { refreshToken: creator.refreshToken } })).status).toBeGreaterThanOrEqual(401);
    const writes: [string, RequestOptions][] = [
      ["/api/videos", { method: "POST", json: { title: "t", visibility: "public", filename: "a.mp4", size: 10, contentType: "video/mp4" } }],
      [`/api/videos/${otherVideo}/comments`, { method: "POST", json: { body: "hi" } }],
      [`/api/videos/${otherVideo}/like`, { method: "PUT" }],
      [`/api/creators/${(await api.signUpCreator()).creatorId}/follow`, { method: "PUT" }],
      ["/api/reports", { method: "POST", json: { target: { kind: "video", id: otherVideo }, reason: "spam" } }],
    ];
    for (const [path, options] of writes) expect((await api.request(path, { ...options, as: creator })).status, path).toBe(403);
    // Reads with the token still work; the account's videos are gone for everyone but admins.
    expect((await api.request("/api/me", { as: creator })).status).toBe(200);
    expect((await api.request(`/api/videos/${videoId}`)).status).toBe(404);
    expect((await api.request(`/api/videos/${videoId}`, { as: admin })).status).toBe(200);
    expect((await api.request<Page<Video>>(`/api/creators/${creator.creatorId}/videos`)).body.items).toEqual([]);
    expect((await api.request<{ videoCount: number }>(`/api/creators/${creator.creatorId}`)).body.videoCount).toBe(0);
    expect(await searchCreators()).toEqual([]);
    expect((await api.request<Page<Video>>("/api/videos?limit=100")).body.items.some((v) => v.id === videoId)).toBe(false);
    expect((await media(videoId)).status).toBe(404);
    const log = await api.request<Page<ModerationLogEntry>>("/api/admin/moderation-log?limit=100", { as: admin });
    expect(log.body.items.find((e) => e.target.id === creator.user.id)).toMatchObject({ action: "suspend-creator", target: { kind: "creator" }, reversible: true });

    expect((await api.request(`/api/admin/users/${creator.user.id}/unsuspend`, { method: "POST", as: admin })).status).toBe(204);
    const back = await api.login(creator.email);
    expect((await api.request(`/api/videos/${otherVideo}/like`, { method: "PUT", as: back })).status).toBe(204);
    expect((await api.request(`/api/videos/${videoId}`)).status).toBe(200);
    expect((await api.request<Page<Video>>(`/api/creators/${creator.creatorId}/videos`)).body.items.map((v) => v.id)).toEqual([videoId]);
    expect(await searchCreators()).toEqual([creator.creatorId]);
    const file = await media(videoId);
    expect(file.status).toBe(200);
    await file.arrayBuffer();
  });

  it("direct suspension of a viewer also blocks them; admins cannot be suspended", async () => {
    const viewer = await api.signUp();
    const admin = await makeAdmin(env, api, await api.signUp());
    const other = await makeAdmin(env, api, await api.signUp());
    expect((await api.request(`/api/admin/users/${viewer.user.id}/suspend`, { method: "POST", as: admin })).status).toBe(204);
    expect((await api.request("/api/me/creator", { method: "POST", as: viewer, json: { displayName: "New" } })).status).toBe(403);
    expect((await api.request("/api/auth/login", { method: "POST", json: { email: viewer.email, password: viewer.password } })).status).toBe(403);
    expect((await api.request(`/api/admin/users/${other.user.id}/suspend`, { method: "POST", as: admin })).status).toBe(409);
    expect((await api.request(`/api/admin/users/${viewer.user.id}/unsuspend`, { method: "POST", as: admin })).status).toBe(204);
    expect((await api.request("/api/auth/login", { method: "POST", json: { email: viewer.email, password: viewer.password } })).status).toBe(200);
    // A repeat is idempotent.
    expect((await api.request(`/api/admin/users/${viewer.user.id}/unsuspend`, { method: "POST", as: admin })).status).toBe(204);
  });
});

describe("the edge cache", () => {
  // The Worker's own handler with the edge cache on (SELF runs with EDGE_CACHE=off).
  const cached: Fetcher = {
    async fetch(input, init) {
      const ctx = createExecutionContext();
      const res = await worker.fetch!(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, EDGE_CACHE: "on" }, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  };
  const edge = createApiClient(cached);

  it("a removal or suspension drops this data center's cached lists, video and watch page at once", async () => {
    const [owner, viewer] = await Promise.all([edge.signUpCreator("Cached Carla"), edge.signUp()]);
    const admin = await makeAdmin(env, edge, await edge.signUp());
    const removed = await seedVideo(owner.creatorId!);
    const paths = ["/api/videos?sort=latest", `/api/videos/${removed}`, `/watch/${removed}`, `/api/creators/${owner.creatorId}/videos`];
    for (const path of paths) {
      await edge.request(path);
      expect((await edge.request(path)).headers.get("x-cache"), path).toBe("HIT");
    }
    const filed = await edge.request<{ id: string }>("/api/reports", { method: "POST", as: viewer, json: { target: { kind: "video", id: removed }, reason: "spam" } });
    expect((await edge.request(`/api/admin/reports/${filed.body.id}/resolve`, { method: "POST", as: admin, json: { action: "remove" } })).status).toBe(200);
    expect((await edge.request(`/api/videos/${removed}`)).status).toBe(404);
    expect((await edge.request(`/watch/${removed}`)).status).toBe(404);
    for (const path of ["/api/videos?sort=latest", `/api/creators/${owner.creatorId}/videos`]) {
      expect((await edge.request<Page<Video>>(path)).body.items.some((v) => v.id === removed), path).toBe(false);
    }

    const kept = await seedVideo(owner.creatorId!);
    await edge.request(`/api/videos/${kept}`);
    expect((await edge.request(`/api/videos/${kept}`)).headers.get("x-cache")).toBe("HIT");
    expect((await edge.request(`/api/admin/users/${owner.user.id}/suspend`, { method: "POST", as: admin })).status).toBe(204);
    expect((await edge.request(`/api/videos/${kept}`)).status).toBe(404);
    expect((await edge.request(`/api/admin/users/${owner.user.id}/unsuspend`, { method: "POST", as: admin })).status).toBe(204);
    expect((await edge.request(`/api/videos/${kept}`)).status).toBe(200);
  });
});
