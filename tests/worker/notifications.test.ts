// Notifications (API.md "Notifications and feeds"): comments and replies notify inline; a newly
// playable public video fans out to every follower through the real local queue (10,000
// followers seeded with generate_series), exactly once even when batches are delivered again;
// the list, the unread count and mark-as-read only ever touch the caller's own rows; hostile
// queries and bodies are 4xx. Real Postgres, real workerd, real Queues.
import { env, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAN_OUT_BATCH, MARK_READ_IDS_MAX, type NotificationPage } from "#contract/notifications.ts";
import { notifications } from "#db/community-schema.ts";
import { comments, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { enqueueNewVideoNotifications } from "#worker/notifications/enqueue.ts";
import { runFanOutBatch } from "#worker/notifications/fan-out.ts";
import type { NewVideoBatchMessage } from "#worker/notifications/messages.ts";
import { createApiClient, makeAdmin, type Account, type RequestOptions } from "../support/api-client.ts";
import { flipPlayable, plannedVideo } from "./support/planned-video.ts";
import { waitFor } from "./support/wait-for.ts";

const api = createApiClient(SELF);
let handle: DatabaseHandle;
beforeAll(() => {
  handle = openDatabase(env);
});
afterAll(async () => {
  await handle.close();
});

const list = (as: Account | undefined, query = "") => api.request<NotificationPage>(`/api/me/notifications${query}`, { as });
const markRead = (as: Account | undefined, json: unknown, extra: RequestOptions = {}) =>
  api.request(`/api/me/notifications/read`, { method: "POST", as, json, ...extra });

async function seedVideo(creatorId: string, opts: { visibility?: "public" | "unlisted" | "private"; playable?: boolean } = {}) {
  const [row] = await handle.db
    .insert(videos)
    .values({
      creatorId,
      title: "Notified <video>",
      visibility: opts.visibility ?? "public",
      status: opts.playable === false ? "processing" : "ready",
      playable: opts.playable ?? true,
      publishedAt: opts.playable === false ? null : new Date(),
      masterKey: "",
    })
    .returning();
  return row!.id;
}

/** `count` new viewer accounts following the creator, in two statements. */
async function seedFollowers(creatorId: string, count: number, tag = crypto.randomUUID()) {
  await handle.db.execute(sql`
    with fans as (
      insert into users (email, password_hash, role)
      select 'fan-' || ${tag} || '-' || g || '@example.com', 'x', 'viewer' from generate_series(1, ${count}) g
      returning id
    )
    insert into follows (follower_id, creator_id) select id, ${creatorId} from fans`);
}

const countFor = async (videoId: string) =>
  (await handle.db.execute<{ n: number; users: number }>(sql`select count(*)::int as n, count(distinct user_id)::int as users from notifications where video_id = ${videoId} and kind = 'new-video'`)).rows[0]!;

const follow = (as: Account, creatorId: string) => api.request(`/api/creators/${creatorId}/follow`, { method: "PUT", as });

describe("authorisation", () => {
  it("anonymous callers get 401 on both routes (also with a forged body)", async () => {
    const res = await list(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect((await markRead(undefined, {})).status).toBe(401);
    expect((await markRead(undefined, { ids: [crypto.randomUUID()] })).status).toBe(401);
  });

  it("viewer, creator and admin each see only their own notifications and can only mark their own read", async () => {
    const [owner, viewer, other, adminAccount] = await Promise.all([api.signUpCreator(), api.signUp(), api.signUpCreator(), api.signUp()]);
    const admin = await makeAdmin(env, api, adminAccount);
    const videoId = await seedVideo(owner.creatorId!);
    const posted = await api.request<{ id: string }>(`/api/videos/${videoId}/comments`, { method: "POST", as: viewer, json: { body: "first!" } });
    expect(posted.status).toBe(201);

    const mine = await list(owner);
    expect(mine.status).toBe(200);
    expect(mine.headers.get("cache-control")).toMatch(/no-store/);
    expect(mine.body.items).toHaveLength(1);
    const note = mine.body.items[0]!;
    for (const someoneElse of [viewer, other, admin]) {
      const theirs = await list(someoneElse);
      expect(theirs.status).toBe(200);
      expect(theirs.body.items.map((n) => n.id)).not.toContain(note.id);
      expect(theirs.body.unread).toBe(0);
      // Marking another person's notification read is a no-op, never an error that leaks it.
      expect((await markRead(someoneElse, { ids: [note.id] })).status).toBe(204);
      expect((await markRead(someoneElse, {})).status).toBe(204);
    }
    const still = await list(owner);
    expect(still.body.unread).toBe(1);
    expect(still.body.items[0]!.read).toBe(false);
  });
});

describe("comments and replies", () => {
  it("a comment notifies the creator, a reply the parent's author; nobody is told about their own words", async () => {
    const [owner, viewer, third] = await Promise.all([api.signUpCreator("Owner <b>"), api.signUp(), api.signUp()]);
    const videoId = await seedVideo(owner.creatorId!);
    const comment = await api.request<{ id: string }>(`/api/videos/${videoId}/comments`, { method: "POST", as: viewer, json: { body: "Nice video" } });
    const reply = await api.request<{ id: string }>(`/api/videos/${videoId}/comments`, { method: "POST", as: owner, json: { body: "Thanks!", parentId: comment.body.id } });
    // The creator replying to a reply of theirs, and commenting on their own video: no notification.
    await api.request(`/api/videos/${videoId}/comments`, { method: "POST", as: owner, json: { body: "Pinned note" } });
    await api.request(`/api/videos/${videoId}/comments`, { method: "POST", as: owner, json: { body: "again", parentId: reply.body.id } });
    // A third person replying into the thread notifies the author of the comment they answer.
    await api.request(`/api/videos/${videoId}/comments`, { method: "POST", as: third, json: { body: "Agreed", parentId: reply.body.id } });

    const forOwner = await list(owner);
    expect(forOwner.body.items.map((n) => n.kind)).toEqual(["reply", "comment"]);
    expect(forOwner.body.unread).toBe(2);
    const [thirdReply, first] = forOwner.body.items;
    expect(first).toMatchObject({
      kind: "comment",
      read: false,
      video: { id: videoId, title: "Notified <video>" },
      comment: { id: comment.body.id, body: "Nice video" },
      actor: { id: viewer.user.id },
    });
    expect(first!.actor!.displayName).not.toContain("@");
    expect(Date.parse(first!.createdAt)).not.toBeNaN();
    // A reply names its thread's top-level comment (a reply to a reply joins that thread); a comment has none.
    expect(thirdReply).toMatchObject({ kind: "reply", actor: { id: third.user.id }, comment: { body: "Agreed", parentId: comment.body.id } });
    expect(first!.comment!.parentId).toBeUndefined();

    const forViewer = await list(viewer);
    expect(forViewer.body.items).toHaveLength(1);
    expect(forViewer.body.items[0]).toMatchObject({ kind: "reply", comment: { id: reply.body.id, body: "Thanks!" }, actor: { id: owner.user.id, displayName: "Owner <b>" } });
    expect((await list(third)).body.items).toHaveLength(0);
  });

  it("hides notifications whose video is removed or went private, and whose comment is deleted; the unread count follows", async () => {
    const [owner, viewer] = await Promise.all([api.signUpCreator(), api.signUp()]);
    const [a, b, c] = await Promise.all([seedVideo(owner.creatorId!), seedVideo(owner.creatorId!), seedVideo(owner.creatorId!)]);
    await follow(viewer, owner.creatorId!);
    for (const id of [a, b, c]) await handle.db.insert(notifications).values({ userId: viewer.user.id, kind: "new-video", videoId: id, actorId: owner.user.id });
    const commented = await api.request<{ id: string }>(`/api/videos/${a}/comments`, { method: "POST", as: viewer, json: { body: "to be deleted" } });
    expect((await list(viewer)).body.unread).toBe(3);
    expect((await list(owner)).body.unread).toBe(1);

    await handle.db.update(videos).set({ removedAt: new Date() }).where(eq(videos.id, a));
    await handle.db.update(videos).set({ visibility: "private" }).where(eq(videos.id, b));
    const shown = await list(viewer);
    expect(shown.body.items.map((n) => n.video?.id)).toEqual([c]);
    expect(shown.body.unread).toBe(1);

    // A removed video hides its comment notifications too, even from its creator.
    expect((await list(owner)).body.items).toHaveLength(0);
    await handle.db.update(videos).set({ removedAt: null }).where(eq(videos.id, a));
    expect((await list(owner)).body.items).toHaveLength(1);
    expect((await api.request(`/api/comments/${commented.body.id}`, { method: "DELETE", as: viewer })).status).toBe(204);
    const afterDelete = await list(owner);
    expect(afterDelete.body.items).toHaveLength(0);
    expect(afterDelete.body.unread).toBe(0);
  });
});

describe("list and mark read", () => {
  it("pages newest first with cursors and marks the given ids, then all", async () => {
    const [owner, viewer] = await Promise.all([api.signUpCreator(), api.signUp()]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const videoId = await seedVideo(owner.creatorId!);
      const [row] = await handle.db
        .insert(notifications)
        .values({ userId: viewer.user.id, kind: "new-video", videoId, actorId: owner.user.id, createdAt: new Date(Date.now() - (5 - i) * 1000) })
        .returning();
      ids.push(row!.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(viewer, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      expect(page.body.unread).toBe(5);
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    expect((await markRead(viewer, { ids: [ids[0], ids[1]] })).status).toBe(204);
    let after = await list(viewer);
    expect(after.body.unread).toBe(3);
    expect(after.body.items.filter((n) => n.read).map((n) => n.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await markRead(viewer, { ids: [] })).status).toBe(204);
    expect((await list(viewer)).body.unread).toBe(3);
    // No body at all marks everything, as does {}.
    expect((await api.request(`/api/me/notifications/read`, { method: "POST", as: viewer })).status).toBe(204);
    after = await list(viewer);
    expect(after.body.unread).toBe(0);
    expect(after.body.items.every((n) => n.read)).toBe(true);
  });

  it("refuses hostile queries and bodies with 4xx problem+json, never 500, and changes nothing", async () => {
    const [owner, viewer] = await Promise.all([api.signUpCreator(), api.signUp()]);
    await handle.db.insert(notifications).values({ userId: viewer.user.id, kind: "new-video", videoId: await seedVideo(owner.creatorId!), actorId: owner.user.id });
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?cursor=", "?cursor=not-a-cursor", `?cursor=${btoa('{"t":"x","id":"y"}')}`, `?cursor=${"a".repeat(500)}`]) {
      const res = await list(viewer, query);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type"), query).toMatch(/problem\+json/);
    }
    const bodies: unknown[] = [
      { ids: ["not-a-uuid"] },
      { ids: "all" },
      { ids: [1, 2] },
      { ids: [null] },
      { ids: Array.from({ length: MARK_READ_IDS_MAX + 1 }, () => crypto.randomUUID()) },
      { ids: Array.from({ length: 5000 }, () => crypto.randomUUID()) },
      { ids: [crypto.randomUUID()], extra: true },
      [],
      "ids",
      null,
      { ids: JSON.parse("[".repeat(40) + "]".repeat(40)) },
    ];
    for (const json of bodies) {
      const res = await markRead(viewer, json);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBeLessThan(500);
    }
    expect((await markRead(viewer, undefined, { body: "{not json", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await markRead(viewer, undefined, { body: '{"ids":[]}', headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await markRead(viewer, undefined, { body: "x".repeat(70_000), headers: { "content-type": "application/json" } })).status).toBe(413);
    expect((await list(viewer)).body.unread).toBe(1);
  });

  it("a cookie session needs a same-origin request to mark read", async () => {
    const viewer = await api.signUp();
    expect((await markRead(viewer, {}, { auth: "cookie", origin: "https://evil.example" })).status).toBe(403);
    expect((await markRead(viewer, {}, { auth: "cookie" })).status).toBe(204);
  });
});

describe("new-video fan-out through the queue", () => {
  it(`a creator with 10,000 followers: publishing only queues; every follower ends with exactly one notification; redelivered batches add nothing`, async () => {
    const [creator, quiet] = await Promise.all([api.signUpCreator("Popular"), api.signUpCreator("Quiet")]);
    await seedFollowers(creator.creatorId!, 10_000);

    // The real publish path: callbacks make the video playable, publish.ts queues the fan-out.
    // The callback that flips `playable` is timed for 0 and 10,000 followers (docs/benchmarks.md).
    // Each round waits for the previous fan-out to finish, so neither side competes with it.
    const timings: Record<string, number[]> = { "0 followers": [], "10,000 followers": [] };
    for (let round = 0; round < 3; round++) {
      const order = round % 2 === 0 ? ([["0 followers", quiet], ["10,000 followers", creator]] as const) : ([["10,000 followers", creator], ["0 followers", quiet]] as const);
      for (const [label, who] of order) {
        const video = await plannedVideo(handle.db, who.creatorId!);
        timings[label]!.push(await flipPlayable(env, video));
        if (who === creator) await waitFor(() => countFor(video.videoId), (c) => c.n >= 10_000, 120_000);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log("playable-callback ms (0 vs 10,000 followers):", JSON.stringify(timings), "medians", median(timings["0 followers"]!), median(timings["10,000 followers"]!));

    const published = (await handle.db.select({ id: videos.id }).from(videos).where(eq(videos.creatorId, creator.creatorId!))).map((v) => v.id);
    expect(published).toHaveLength(3);
    expect((await handle.db.select({ playable: videos.playable }).from(videos).where(eq(videos.id, published[0]!)))[0]!.playable).toBe(true);
    for (const id of published) expect(await countFor(id)).toEqual({ n: 10_000, users: 10_000 });
    // How long the queue takes to reach everyone, from the callback's answer.
    const timed = await plannedVideo(handle.db, creator.creatorId!);
    await flipPlayable(env, timed);
    const started = Date.now();
    await waitFor(() => countFor(timed.videoId), (c) => c.n >= 10_000, 120_000);
    console.log(`fan-out to 10,000 followers complete ${Date.now() - started} ms after the callback answered`);

    // Redelivery: the plan again (it re-queues every batch) and a batch covering everyone, both
    // through the queue, and the batch statement run directly: nothing new.
    const videoId = published[0]!;
    await enqueueNewVideoNotifications(env, videoId);
    const first = (await handle.db.execute<{ id: string }>(sql`select follower_id as id from follows where creator_id = ${creator.creatorId} order by follower_id limit 1`)).rows[0]!.id;
    const everyone: NewVideoBatchMessage = { kind: "new-video-batch", videoId, from: first, to: null };
    await env.NOTIFICATIONS_QUEUE.send(everyone);
    expect(await runFanOutBatch(handle.db, everyone)).toBe(0);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await countFor(videoId)).toEqual({ n: 10_000, users: 10_000 });
    // Nobody got more than one notification per video, and the creator none.
    const dupes = await handle.db.execute<{ n: number }>(sql`
      select count(*)::int as n from (select user_id from notifications where video_id = ${videoId} group by user_id having count(*) > 1) d`);
    expect(dupes.rows[0]!.n).toBe(0);
    expect((await handle.db.select().from(notifications).where(eq(notifications.userId, creator.user.id))).length).toBe(0);
    expect(FAN_OUT_BATCH).toBeLessThanOrEqual(1000);
  }, 300_000);

  it("a follower sees the new video in their list; unlisted, private and not-yet-playable videos notify nobody", async () => {
    const [creator, fan] = await Promise.all([api.signUpCreator("Channel"), api.signUp()]);
    expect((await follow(fan, creator.creatorId!)).status).toBeLessThan(300);
    const publicId = await seedVideo(creator.creatorId!);
    const unlisted = await seedVideo(creator.creatorId!, { visibility: "unlisted" });
    const privateId = await seedVideo(creator.creatorId!, { visibility: "private" });
    const notPlayable = await seedVideo(creator.creatorId!, { playable: false });
    for (const id of [unlisted, privateId, notPlayable, publicId]) await enqueueNewVideoNotifications(env, id);
    const page = await waitFor(() => list(fan), (r) => r.body.items.length > 0);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({ kind: "new-video", read: false, video: { id: publicId }, actor: { id: creator.user.id, displayName: "Channel" } });
    await new Promise((r) => setTimeout(r, 2000));
    expect((await list(fan)).body.items).toHaveLength(1);
  });

  it("a playable video made public later notifies its followers then, once however often it flips", async () => {
    const [creator, fan] = await Promise.all([api.signUpCreator(), api.signUp()]);
    await follow(fan, creator.creatorId!);
    const videoId = await seedVideo(creator.creatorId!, { visibility: "unlisted" });
    const patch = (visibility: string) => api.request(`/api/videos/${videoId}`, { method: "PATCH", as: creator, json: { visibility } });
    expect((await patch("public")).status).toBe(200);
    expect((await waitFor(() => countFor(videoId), (c) => c.n > 0, 30_000)).n).toBe(1);
    expect((await patch("private")).status).toBe(200);
    expect((await patch("public")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await countFor(videoId)).toEqual({ n: 1, users: 1 });
  }, 60_000);

  it("a deleted video takes its notifications with it", async () => {
    const [creator, fan] = await Promise.all([api.signUpCreator(), api.signUp()]);
    const videoId = await seedVideo(creator.creatorId!);
    await handle.db.insert(notifications).values({ userId: fan.user.id, kind: "new-video", videoId, actorId: creator.user.id });
    const [c] = await handle.db.insert(comments).values({ videoId, authorId: fan.user.id, body: "x" }).returning();
    await handle.db.insert(notifications).values({ userId: creator.user.id, kind: "comment", videoId, commentId: c!.id, actorId: fan.user.id });
    expect((await api.request(`/api/videos/${videoId}`, { method: "DELETE", as: creator })).status).toBe(204);
    expect((await list(fan)).body.items).toHaveLength(0);
    expect((await list(creator)).body.items).toHaveLength(0);
    expect(await handle.db.select().from(notifications).where(eq(notifications.videoId, videoId))).toHaveLength(0);
  });
});
