// Comments and likes (API.md "Comments and likes"): the authorisation table, threads one level
// deep, tombstones, the per-video switch, pagination, exact like counts under concurrency, no
// likes on deleted or removed comments; and the channel RSS feed (rate limits: rate-limit.test.ts).
// Real Postgres, real Durable Objects.
import { env, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMMENT_MAX, type Comment, type Page } from "#contract/api.ts";
import { commentLikes, comments, videoLikes, videos } from "#db/schema.ts";
import { likeComment } from "#worker/likes/store.ts";
import { createApiClient, makeAdmin, withDb, type Account, type RequestOptions } from "../support/api-client.ts";
import { seedComment, seedVideo } from "./support/seed-video.ts";

const api = createApiClient(SELF);

// The contract's shapes, as the JSON answers carry them.
type CommentJson = Comment;
type CommentPage = Page<Comment>;

const post = (videoId: string, as: Account | null, json: unknown, extra: RequestOptions = {}) =>
  api.request<CommentJson>(`/api/videos/${videoId}/comments`, { method: "POST", as: as ?? undefined, json, ...extra });
const list = (videoId: string, query = "", as?: Account) => api.request<CommentPage>(`/api/videos/${videoId}/comments${query}`, { as });
const replies = (commentId: string, query = "", as?: Account) => api.request<CommentPage>(`/api/comments/${commentId}/replies${query}`, { as });

type Actor = "anonymous" | "viewer" | "otherCreator" | "owner" | "admin";
const actorNames: Actor[] = ["anonymous", "viewer", "otherCreator", "owner", "admin"];
type Actors = Record<Exclude<Actor, "anonymous">, Account>;

async function freshActors(): Promise<Actors> {
  const [viewer, otherCreator, owner, adminViewer] = await Promise.all([api.signUp(), api.signUpCreator(), api.signUpCreator(), api.signUp()]);
  return { viewer, otherCreator, owner, admin: await makeAdmin(env, api, adminViewer) };
}

describe("authorisation table", () => {
  type Setup = { actors: Actors; videoId: string; privateVideoId: string; commentId: string };
  // Each row gets a fresh target: a public video of the owner with one comment by the viewer.
  const rows: { route: string; request: (s: Setup) => [string, RequestOptions]; expected: Record<Actor, number> }[] = [
    {
      route: "GET /api/videos/:id/comments (public video)",
      request: (s) => [`/api/videos/${s.videoId}/comments`, {}],
      expected: { anonymous: 200, viewer: 200, otherCreator: 200, owner: 200, admin: 200 },
    },
    {
      route: "GET /api/videos/:id/comments (private video)",
      request: (s) => [`/api/videos/${s.privateVideoId}/comments`, {}],
      expected: { anonymous: 404, viewer: 404, otherCreator: 404, owner: 200, admin: 200 },
    },
    {
      route: "POST /api/videos/:id/comments",
      request: (s) => [`/api/videos/${s.videoId}/comments`, { method: "POST", json: { body: "hello" } }],
      expected: { anonymous: 401, viewer: 201, otherCreator: 201, owner: 201, admin: 201 },
    },
    {
      route: "POST /api/videos/:id/comments (private video)",
      request: (s) => [`/api/videos/${s.privateVideoId}/comments`, { method: "POST", json: { body: "hello" } }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 201, admin: 201 },
    },
    {
      route: "PATCH /api/comments/:id (the viewer's comment)",
      request: (s) => [`/api/comments/${s.commentId}`, { method: "PATCH", json: { body: "edited" } }],
      expected: { anonymous: 401, viewer: 200, otherCreator: 403, owner: 403, admin: 403 },
    },
    {
      route: "DELETE /api/comments/:id (the viewer's comment)",
      request: (s) => [`/api/comments/${s.commentId}`, { method: "DELETE" }],
      expected: { anonymous: 401, viewer: 204, otherCreator: 403, owner: 204, admin: 204 },
    },
    {
      route: "PUT /api/videos/:id/like",
      request: (s) => [`/api/videos/${s.videoId}/like`, { method: "PUT" }],
      expected: { anonymous: 401, viewer: 204, otherCreator: 204, owner: 204, admin: 204 },
    },
    {
      route: "DELETE /api/videos/:id/like",
      request: (s) => [`/api/videos/${s.videoId}/like`, { method: "DELETE" }],
      expected: { anonymous: 401, viewer: 204, otherCreator: 204, owner: 204, admin: 204 },
    },
    {
      route: "PUT /api/videos/:id/like (private video)",
      request: (s) => [`/api/videos/${s.privateVideoId}/like`, { method: "PUT" }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 204, admin: 204 },
    },
    {
      route: "PUT /api/comments/:id/like",
      request: (s) => [`/api/comments/${s.commentId}/like`, { method: "PUT" }],
      expected: { anonymous: 401, viewer: 204, otherCreator: 204, owner: 204, admin: 204 },
    },
    {
      route: "PATCH /api/videos/:id { commentsEnabled }",
      request: (s) => [`/api/videos/${s.videoId}`, { method: "PATCH", json: { commentsEnabled: false } }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 200, admin: 404 },
    },
  ];

  let actors: Actors;
  beforeAll(async () => {
    actors = await freshActors();
  });

  for (const row of rows) {
    it(row.route, async () => {
      const got: Record<string, number> = {};
      for (const actor of actorNames) {
        const videoId = await seedVideo(actors.owner.creatorId!);
        const privateVideoId = await seedVideo(actors.owner.creatorId!, { visibility: "private" });
        const commentId = await seedComment(videoId, actors.viewer.user.id);
        const [path, options] = row.request({ actors, videoId, privateVideoId, commentId });
        const res = await api.request(path, { ...options, as: actor === "anonymous" ? undefined : actors[actor] });
        got[actor] = res.status;
        if (res.status >= 400) expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      }
      expect(got).toEqual(row.expected);
    });
  }
});

describe("comments", () => {
  // Fresh accounts per test: comment writes are rate limited per account.
  let owner: Account;
  let viewer: Account;
  beforeEach(async () => {
    [owner, viewer] = await Promise.all([api.signUpCreator("Channel Owner"), api.signUp()]);
  });

  it("posts plain text, trimmed, shown with its author; bodies are validated (422) and ids 404", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const res = await post(videoId, viewer, { body: "  <b>hi</b> & bye  " });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ body: "<b>hi</b> & bye", editedAt: null, likeCount: 0, replyCount: 0, deleted: false, liked: false });
    expect(res.body.author.id).toBe(viewer.user.id);
    expect(res.body.author.displayName).not.toContain("@");
    const byOwner = await post(videoId, owner, { body: "thanks" });
    expect(byOwner.body.author.displayName).toBe("Channel Owner");

    for (const json of [{ body: "" }, { body: "   " }, { body: "x".repeat(COMMENT_MAX + 1) }, { body: 5 }, {}, { body: "ok", extra: 1 }]) {
      const bad = await post(videoId, viewer, json);
      expect(bad.status, JSON.stringify(json).slice(0, 40)).toBe(422);
      expect((bad.body as unknown as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    }
    expect((await post(videoId, viewer, { body: "x".repeat(COMMENT_MAX) })).status).toBe(201);
    for (const id of [crypto.randomUUID(), "nope", "1'"]) {
      expect((await post(id, viewer, { body: "x" })).status).toBe(404);
      expect((await list(id)).status).toBe(404);
      expect((await api.request(`/api/comments/${id}`, { method: "PATCH", as: viewer, json: { body: "x" } })).status).toBe(404);
      expect((await replies(id)).status).toBe(404);
    }
  });

  it("one level of replies: a reply to a reply joins the same thread; counts follow", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const top = (await post(videoId, viewer, { body: "top" })).body;
    const first = await post(videoId, owner, { body: "reply 1", parentId: top.id });
    expect(first.body.parentId).toBe(top.id);
    const nested = await post(videoId, viewer, { body: "reply to reply", parentId: first.body.id });
    expect(nested.status).toBe(201);
    expect(nested.body.parentId).toBe(top.id);
    const listed = await list(videoId);
    expect(listed.body.items.map((c) => c.body)).toEqual(["top"]);
    expect(listed.body.items[0]!.replyCount).toBe(2);
    expect((await replies(top.id)).body.items.map((c) => c.body)).toEqual(["reply 1", "reply to reply"]);
    // A parent from another video is not a parent here.
    const other = await seedVideo(owner.creatorId!);
    expect((await post(other, viewer, { body: "x", parentId: top.id })).status).toBe(404);
  });

  it("edit by the author sets editedAt; delete leaves a tombstone while replies exist, and the tombstone goes with the last reply", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const top = (await post(videoId, viewer, { body: "original" })).body;
    const edited = await api.request<CommentJson>(`/api/comments/${top.id}`, { method: "PATCH", as: viewer, json: { body: " changed " } });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe("changed");
    expect(edited.body.editedAt).not.toBeNull();
    expect((await api.request(`/api/comments/${top.id}`, { method: "PATCH", as: viewer, json: { body: "" } })).status).toBe(422);

    const reply = (await post(videoId, owner, { body: "a reply", parentId: top.id })).body;
    expect((await api.request(`/api/comments/${top.id}`, { method: "DELETE", as: viewer })).status).toBe(204);
    const tomb = (await list(videoId)).body.items[0]!;
    expect(tomb).toMatchObject({ id: top.id, deleted: true, body: "", replyCount: 1 });
    // A tombstone can be neither edited nor replied to; deleting it again is a no-op.
    expect((await api.request(`/api/comments/${top.id}`, { method: "PATCH", as: viewer, json: { body: "back" } })).status).toBe(404);
    expect((await post(videoId, viewer, { body: "late", parentId: top.id })).status).toBe(404);
    expect((await api.request(`/api/comments/${top.id}`, { method: "DELETE", as: viewer })).status).toBe(204);

    expect((await api.request(`/api/comments/${reply.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await list(videoId)).body.items).toEqual([]);
    const left = await withDb(env, (db) => db.select().from(comments).where(eq(comments.videoId, videoId)));
    expect(left).toEqual([]);

    // Without replies a comment is simply removed.
    const lone = (await post(videoId, viewer, { body: "lone" })).body;
    expect((await api.request(`/api/comments/${lone.id}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect((await list(videoId)).body.items).toEqual([]);
  });

  it("the owner turns comments off: posting is 403, existing comments stay readable; on again", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    await post(videoId, viewer, { body: "before" });
    const off = await api.request<{ commentsEnabled: boolean }>(`/api/videos/${videoId}`, { method: "PATCH", as: owner, json: { commentsEnabled: false } });
    expect(off.status).toBe(200);
    expect(off.body.commentsEnabled).toBe(false);
    const refused = await post(videoId, viewer, { body: "after" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect((await post(videoId, owner, { body: "even the owner" })).status).toBe(403);
    expect((await list(videoId)).body.items.map((c) => c.body)).toEqual(["before"]);
    await api.request(`/api/videos/${videoId}`, { method: "PATCH", as: owner, json: { commentsEnabled: true } });
    expect((await post(videoId, viewer, { body: "after" })).status).toBe(201);
  });

  it("pages newest first and by likes with opaque cursors; bad cursors are 400", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await post(videoId, i % 2 ? owner : viewer, { body: `c${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: CommentPage } = await list(videoId, `?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...res.body.items.map((c) => c.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["c6", "c5", "c4", "c3", "c2", "c1", "c0"]);

    await api.request(`/api/comments/${ids[2]}/like`, { method: "PUT", as: viewer });
    await api.request(`/api/comments/${ids[2]}/like`, { method: "PUT", as: owner });
    await api.request(`/api/comments/${ids[5]}/like`, { method: "PUT", as: viewer });
    const topSeen: string[] = [];
    cursor = null;
    do {
      const res: { body: CommentPage } = await list(videoId, `?sort=top&limit=2${cursor ? `&cursor=${cursor}` : ""}`, viewer);
      topSeen.push(...res.body.items.map((c) => c.body));
      if (res.body.items[0]?.body === "c2") expect(res.body.items[0]).toMatchObject({ likeCount: 2, liked: true });
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(topSeen.slice(0, 2)).toEqual(["c2", "c5"]);
    expect([...topSeen].sort()).toEqual(["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);

    for (const q of ["?cursor=garbage", "?cursor=eyJ4IjoxfQ", "?limit=0", "?limit=101", "?sort=oldest"]) {
      const res = await list(videoId, q);
      expect(res.status, q).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});

describe("likes", () => {
  let owner: Account;
  beforeAll(async () => {
    owner = await api.signUpCreator();
  });

  const videoLikeRows = (videoId: string) =>
    withDb(env, async (db) => {
      const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(videoLikes).where(eq(videoLikes.videoId, videoId));
      const [row] = await db.select({ likeCount: videos.likeCount }).from(videos).where(eq(videos.id, videoId));
      return { rows: count!.n, counter: row!.likeCount };
    });

  it("PUT and DELETE are idempotent; the video carries likeCount and, for the caller, liked", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const viewer = await api.signUp();
    for (let i = 0; i < 3; i++) expect((await api.request(`/api/videos/${videoId}/like`, { method: "PUT", as: viewer })).status).toBe(204);
    const mine = await api.request<{ likeCount: number; liked: boolean }>(`/api/videos/${videoId}`, { as: viewer });
    expect(mine.body).toMatchObject({ likeCount: 1, liked: true });
    const anonymous = await api.request<{ likeCount: number; liked?: boolean }>(`/api/videos/${videoId}`);
    expect(anonymous.body.likeCount).toBe(1);
    expect(anonymous.body.liked).toBeUndefined();
    const others = await api.request<{ liked: boolean }>(`/api/videos/${videoId}`, { as: owner });
    expect(others.body.liked).toBe(false);
    for (let i = 0; i < 3; i++) expect((await api.request(`/api/videos/${videoId}/like`, { method: "DELETE", as: viewer })).status).toBe(204);
    expect((await api.request<{ likeCount: number; liked: boolean }>(`/api/videos/${videoId}`, { as: viewer })).body).toMatchObject({ likeCount: 0, liked: false });
  });

  it("50 users liking and unliking in parallel: the counters equal the rows", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const commentId = (await post(videoId, owner, { body: "like me" })).body.id;
    const users: Account[] = [];
    const started = Date.now();
    for (let i = 0; i < 5; i++) users.push(...(await Promise.all(Array.from({ length: 10 }, () => api.signUp()))));
    console.log(`likes: 50 sign-ups took ${Date.now() - started} ms`);
    // At most 50 requests in flight (each holds a database connection; Postgres allows 100),
    // ordered so that the same user's duplicate requests run at the same time.
    const run = async (tasks: (() => Promise<number>)[]) => {
      const statuses: number[] = [];
      for (let i = 0; i < tasks.length; i += 50) statuses.push(...(await Promise.all(tasks.slice(i, i + 50).map((t) => t()))));
      return new Set(statuses);
    };
    const send = (path: string, method: "PUT" | "DELETE", as: Account) => () => api.request(path, { method, as }).then((r) => r.status);
    const paths = [`/api/videos/${videoId}/like`, `/api/comments/${commentId}/like`];
    // Every user PUTs twice at once.
    expect(await run(paths.flatMap((p) => users.flatMap((u) => [send(p, "PUT", u), send(p, "PUT", u)])))).toEqual(new Set([204]));
    expect(await videoLikeRows(videoId)).toEqual({ rows: 50, counter: 50 });
    console.log(`likes: 200 parallel PUTs (50 in flight) done ${Date.now() - started} ms after the start`);
    // Then half of them DELETE twice at once while the other half PUT again.
    expect(await run(paths.flatMap((p) => users.flatMap((u, i) => (i % 2 ? [send(p, "DELETE", u), send(p, "DELETE", u)] : [send(p, "PUT", u)]))))).toEqual(new Set([204]));
    expect(await videoLikeRows(videoId)).toEqual({ rows: 25, counter: 25 });
    const commentState = await withDb(env, async (db) => {
      const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(commentLikes).where(eq(commentLikes.commentId, commentId));
      const [row] = await db.select({ likeCount: comments.likeCount }).from(comments).where(eq(comments.id, commentId));
      return { rows: count!.n, counter: row!.likeCount };
    });
    expect(commentState).toEqual({ rows: 25, counter: 25 });
    expect((await api.request<{ likeCount: number }>(`/api/videos/${videoId}`)).body.likeCount).toBe(25);
  }, 240_000);

  it("a deleted or removed comment cannot be liked or unliked, not even by an admin: 404, and no like row appears", async () => {
    const videoId = await seedVideo(owner.creatorId!);
    const [fan, admin] = await Promise.all([api.signUp(), api.signUp().then((a) => makeAdmin(env, api, a))]);
    const likeRows = (commentId: string) =>
      withDb(env, async (db) => (await db.select({ n: sql<number>`count(*)::int` }).from(commentLikes).where(eq(commentLikes.commentId, commentId)))[0]!.n);
    // Deleted by its author; a reply keeps it as a tombstone (the row stays).
    const deleted = (await post(videoId, owner, { body: "to delete" })).body.id;
    expect((await post(videoId, fan, { body: "a reply", parentId: deleted })).status).toBe(201);
    expect((await api.request(`/api/comments/${deleted}`, { method: "DELETE", as: owner })).status).toBe(204);
    // Removed by an admin through a report.
    const removed = (await post(videoId, owner, { body: "to remove" })).body.id;
    const filed = await api.request<{ id: string }>("/api/reports", { method: "POST", as: fan, json: { target: { kind: "comment", id: removed }, reason: "spam" } });
    expect((await api.request(`/api/admin/reports/${filed.body.id}/resolve`, { method: "POST", as: admin, json: { action: "remove" } })).status).toBe(200);

    for (const commentId of [deleted, removed]) {
      for (const as of [fan, admin]) {
        for (const method of ["PUT", "DELETE"]) {
          const res = await api.request(`/api/comments/${commentId}/like`, { method, as });
          expect(res.status, `${method} ${commentId}`).toBe(404);
          expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        }
      }
      // The statement itself refuses too, so a like racing the deletion cannot land.
      await withDb(env, (db) => likeComment(db, fan.user.id, commentId));
      expect(await likeRows(commentId)).toBe(0);
    }
    // A live comment still can be liked.
    expect((await api.request(`/api/comments/${(await post(videoId, owner, { body: "alive" })).body.id}/like`, { method: "PUT", as: fan })).status).toBe(204);
  });
});

describe("GET /c/:creatorId/rss", () => {
  it("lists the creator's public videos newest first, escaped, as RSS 2.0", async () => {
    const creator = await api.signUpCreator("Feeds & <Friends>");
    const base = Date.now() - 60_000;
    const older = await seedVideo(creator.creatorId!, { title: "Older", publishedAt: new Date(base) });
    const newer = await seedVideo(creator.creatorId!, { title: `Tom & Jerry <script>alert("x")</script> ]]> 'q'`, description: "line\u0001two", publishedAt: new Date(base + 1000) });
    await seedVideo(creator.creatorId!, { title: "Hidden unlisted", visibility: "unlisted" });
    await seedVideo(creator.creatorId!, { title: "Hidden private", visibility: "private" });

    const res = await SELF.fetch(`http://example.com/c/${creator.creatorId}/rss`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const xml = await res.text();
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"`)).toBe(true);
    expect(xml).toContain("<title>Feeds &amp; &lt;Friends&gt;</title>");
    expect(xml).toContain(`<title>Tom &amp; Jerry &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ]]&gt; &apos;q&apos;</title>`);
    expect(xml).not.toContain("<script>");
    expect(xml).not.toContain("\u0001");
    expect(xml).not.toContain("Hidden");
    const items = [...xml.matchAll(/<item>(.*?)<\/item>/g)].map((m) => m[1]!);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain(`/watch/${newer}</link>`);
    expect(items[1]).toContain(`/watch/${older}</link>`);
    expect(items[1]).toContain(`<pubDate>${new Date(base).toUTCString()}</pubDate>`);
    expect(items[0]).toMatch(/<description>linetwo<\/description>/);
    // Strict well-formedness: every tag closes in order and every & starts a known entity.
    expect(xml.replace(/&(amp|lt|gt|quot|apos);/g, "")).not.toContain("&");
    const stack: string[] = [];
    for (const [, close, name, selfClosing] of xml.replace(/<\?xml[^>]*\?>/, "").matchAll(/<(\/?)([A-Za-z:]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (close) expect(stack.pop()).toBe(name);
      else stack.push(name!);
    }
    expect(stack).toEqual([]);
  });

  it("is 404 problem+json for unknown or malformed ids", async () => {
    for (const id of [crypto.randomUUID(), "nope"]) {
      const res = await SELF.fetch(`http://example.com/c/${id}/rss`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});
