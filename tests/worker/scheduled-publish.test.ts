// Scheduled publishing (API.md "Playback extras": publishAt): a public video with publishAt ahead
// plays by its link but is in no list (latest, trending, channel, search, following feed, RSS,
// the channel's videoCount) until then, and then in all of them with no write; followers are
// told once, never before publishAt, never after it went private, and a message waiting for a
// time the owner changed stops. Time passing is simulated by moving the stored times into the
// past with SQL, except in one test where a real 3 s schedule runs through the real queue.
// Real Postgres, real workerd, real Queues and R2.
import { env, SELF } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Creator, FollowedCreator, Page, Video } from "#contract/api.ts";
import { PUBLISH_AT_MAX_DAYS } from "#contract/schedule.ts";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { planFanOut, runFanOutBatch } from "#worker/notifications/fan-out.ts";
import { createApiClient, makeAdmin, type Account } from "../support/api-client.ts";
import { flipPlayable, plannedVideo } from "./support/planned-video.ts";
import { waitFor } from "./support/wait-for.ts";

const ORIGIN = "http://example.com";
const api = createApiClient(SELF);
let handle: DatabaseHandle;
let owner: Account;
let fans: Account[];
let other: Account;
let admin: Account;

const HOUR = 3_600_000;
const inAnHour = () => new Date(Date.now() + HOUR).toISOString();
const word = () => `sched${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const FIRST_UUID = "00000000-0000-0000-0000-000000000000";

beforeAll(async () => {
  handle = openDatabase(env);
  [owner, other, ...fans] = await Promise.all([api.signUpCreator("Scheduler"), api.signUpCreator("Someone Else"), api.signUp(), api.signUp(), api.signUp()]);
  admin = await makeAdmin(env, api, await api.signUp());
  for (const fan of fans) expect((await api.request(`/api/creators/${owner.creatorId}/follow`, { method: "PUT", as: fan })).status).toBe(204);
});
afterAll(() => handle.close());

/** A playable public video (listed now), with a master playlist in storage so its link plays. */
async function seedListed(title = word()): Promise<string> {
  const [row] = await handle.db
    .insert(videos)
    .values({ creatorId: owner.creatorId!, title, visibility: "public", status: "ready", playable: true, progress: 100, publishedAt: new Date(), trendingScore: 1e9, masterKey: "" })
    .returning();
  const id = row!.id;
  await handle.db.update(videos).set({ masterKey: `videos/${id}/master.m3u8` }).where(eq(videos.id, id));
  await env.MEDIA.put(`videos/${id}/master.m3u8`, "#EXTM3U\n");
  return id;
}

const patchAs = (as: Account | undefined, id: string, json: unknown) => api.request<Video>(`/api/videos/${id}`, { method: "PATCH", as, json });
const patch = (id: string, json: unknown) => patchAs(owner, id, json);

/** Time passes: the schedule (and the listing time it set) is now a second ago. */
async function timePasses(id: string) {
  await handle.db.execute(sql`update videos set publish_at = now() - interval '1 second', published_at = now() - interval '1 second' where id = ${id}`);
}

const stored = async (id: string) => (await handle.db.select().from(videos).where(eq(videos.id, id)))[0]!;
const storedIso = async (id: string) =>
  (await handle.db.execute<{ at: string }>(sql`select to_char(publish_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from videos where id = ${id}`)).rows[0]!.at;

const newVideoNotifications = async (id: string) =>
  (
    await handle.db.execute<{ n: number; users: number; early: number }>(sql`
      select count(*)::int as n, count(distinct n.user_id)::int as users,
             count(*) filter (where n.created_at < v.publish_at)::int as early
      from notifications n join videos v on v.id = n.video_id
      where n.video_id = ${id} and n.kind = 'new-video'`)
  ).rows[0]!;

/** Where the video shows up: every public list, the counts, and its own link. */
async function presence(id: string, title: string) {
  const has = (items: { id: string }[]) => items.some((v) => v.id === id);
  const [latest, trending, channel, search, feed, profile, following, rss, link, media] = await Promise.all([
    api.request<Page<Video>>("/api/videos?limit=100"),
    api.request<Page<Video>>("/api/videos?sort=trending&limit=100"),
    api.request<Page<Video>>(`/api/creators/${owner.creatorId}/videos?limit=100`),
    api.request<Page<Video>>(`/api/search?q=${title}`),
    api.request<Page<Video>>("/api/feed/following?limit=100", { as: fans[0] }),
    api.request<Creator>(`/api/creators/${owner.creatorId}`),
    api.request<Page<FollowedCreator>>("/api/me/following", { as: fans[0] }),
    SELF.fetch(`${ORIGIN}/c/${owner.creatorId}/rss`).then((r) => r.text()),
    api.request<Video>(`/api/videos/${id}`),
    SELF.fetch(`${ORIGIN}/media/videos/${id}/master.m3u8`),
  ]);
  await media.arrayBuffer();
  return {
    lists: { latest: has(latest.body.items), trending: has(trending.body.items), channel: has(channel.body.items), search: has(search.body.items), feed: has(feed.body.items), rss: rss.includes(id) },
    videoCount: profile.body.videoCount,
    followingVideoCount: following.body.items.find((c) => c.id === owner.creatorId)?.videoCount,
    link: link.status,
    media: media.status,
  };
}
const everywhere = { latest: true, trending: true, channel: true, search: true, feed: true, rss: true };
const nowhere = { latest: false, trending: false, channel: false, search: false, feed: false, rss: false };

describe("publishAt: validation and who may set it", () => {
  const upload = { title: "Scheduled upload", visibility: "public", filename: "a.mp4", size: 1024, contentType: "video/mp4" };

  it("POST /api/videos accepts a future publishAt with any offset (storage is down in this suite: 503 means it got past validation)", async () => {
    const hourAhead = new Date(Date.now() + HOUR);
    const india = new Date(hourAhead.getTime() + 5.5 * HOUR).toISOString().slice(0, 19) + "+05:30";
    for (const publishAt of [hourAhead.toISOString(), hourAhead.toISOString().replace("Z", "+00:00"), india, null]) {
      const res = await api.request("/api/videos", { method: "POST", as: owner, json: { ...upload, publishAt } });
      expect(res.status, `${publishAt}: ${res.text}`).toBe(503);
    }
  });

  it("refuses a past time, one too far ahead, a non-public video and a time without offset; the row is untouched", async () => {
    const id = await seedListed();
    const before = await stored(id);
    const cases: [unknown, number][] = [
      [{ publishAt: new Date(Date.now() - 60_000).toISOString() }, 422],
      [{ publishAt: new Date(Date.now() + (PUBLISH_AT_MAX_DAYS + 1) * 24 * HOUR).toISOString() }, 422],
      [{ publishAt: inAnHour(), visibility: "unlisted" }, 422],
      [{ publishAt: inAnHour(), visibility: "private" }, 422],
      [{ publishAt: inAnHour().slice(0, 19) }, 400],
      [{ publishAt: "tomorrow" }, 400],
      [{ publishAt: 1767225600000 }, 400],
      [{ publishAt: "2026-02-30T10:00:00Z" }, 400],
    ];
    for (const [json, status] of cases) {
      const res = await patch(id, json);
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/problem\+json/);
      expect((res.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path), JSON.stringify(json)).toContain("publishAt");
    }
    expect(await stored(id)).toEqual(before);
    for (const [json, status] of cases) {
      const res = await api.request("/api/videos", { method: "POST", as: owner, json: { ...upload, ...(json as object) } });
      expect(res.status, `POST ${JSON.stringify(json)}`).toBe(status);
    }
  });

  it("a private video is scheduled only together with becoming public", async () => {
    const id = await seedListed();
    expect((await patch(id, { visibility: "private" })).status).toBe(200);
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(422);
    const both = await patch(id, { visibility: "public", publishAt: inAnHour() });
    expect(both.status, both.text).toBe(200);
    expect(both.body).toMatchObject({ visibility: "public", publishAt: expect.any(String) });
  });

  it("only the owner may set it: 401 anonymous, 404 for a viewer, another creator and an admin", async () => {
    const id = await seedListed();
    expect((await patchAs(undefined, id, { publishAt: inAnHour() })).status).toBe(401);
    for (const who of [fans[0]!, other, admin]) expect((await patchAs(who, id, { publishAt: inAnHour() })).status).toBe(404);
    expect((await stored(id)).publishAt).toBeNull();
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(200);
  });
});

describe("lists before and after publishAt", () => {
  it("a scheduled video plays by its link but is in no list until its time, then in all of them with no write", async () => {
    const title = word();
    const id = await seedListed(title);
    const baseline = await presence(id, title);
    expect(baseline.lists).toEqual(everywhere);

    const scheduled = await patch(id, { publishAt: inAnHour() });
    expect(scheduled.status).toBe(200);
    const before = await presence(id, title);
    expect(before.lists).toEqual(nowhere);
    expect(before.videoCount).toBe(baseline.videoCount - 1);
    expect(before.followingVideoCount).toBe(baseline.followingVideoCount! - 1);
    // Like an unlisted video: its link and its media answer to anyone.
    expect([before.link, before.media]).toEqual([200, 200]);
    // The owner's studio list (the channel as its owner sees it) has it, with the time.
    const studio = await api.request<Page<Video>>(`/api/creators/${owner.creatorId}/videos?limit=100`, { as: owner });
    expect(studio.body.items.find((v) => v.id === id)?.publishAt).toBe(scheduled.body.publishAt);

    await timePasses(id);
    const after = await presence(id, title);
    expect(after.lists).toEqual(everywhere);
    expect(after.videoCount).toBe(baseline.videoCount);
    expect(after.followingVideoCount).toBe(baseline.followingVideoCount);
  });

  it("publishAt: null publishes a held-back video now (listed at once, newest first)", async () => {
    const title = word();
    const id = await seedListed(title);
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(200);
    expect((await presence(id, title)).lists).toEqual(nowhere);
    const cleared = await patch(id, { publishAt: null });
    expect(cleared.body.publishAt).toBeNull();
    expect((await presence(id, title)).lists).toEqual(everywhere);
    const latest = await api.request<Page<Video>>("/api/videos?limit=1");
    expect(latest.body.items[0]?.id).toBe(id);
  });

  it("a scheduled upload that becomes playable is listed from publishAt, not from when it became playable", async () => {
    const video = await plannedVideo(handle.db, owner.creatorId!);
    const at = new Date(Date.now() + HOUR);
    await handle.db.update(videos).set({ title: word(), publishAt: at }).where(eq(videos.id, video.videoId));
    await flipPlayable(env, video);
    const row = await stored(video.videoId);
    expect(row.playable).toBe(true);
    expect(row.publishedAt?.getTime()).toBe(at.getTime());
    const latest = await api.request<Page<Video>>("/api/videos?limit=100");
    expect(latest.body.items.some((v) => v.id === video.videoId)).toBe(false);
    await timePasses(video.videoId);
    expect((await api.request<Page<Video>>("/api/videos?limit=100")).body.items.some((v) => v.id === video.videoId)).toBe(true);
  });
});

describe("followers are told at publishAt, once", () => {
  it("a 3 s schedule through the real queue: every follower once, no notification dated before publishAt, none again on redelivery", async () => {
    const id = await seedListed();
    const res = await patch(id, { publishAt: new Date(Date.now() + 3000).toISOString() });
    expect(res.status, res.text).toBe(200);
    const done = await waitFor(() => newVideoNotifications(id), (c) => c.n >= fans.length);
    expect(done).toEqual({ n: fans.length, users: fans.length, early: 0 });
    // Redelivery: the plan and a batch again change nothing.
    expect((await planFanOut(env, handle.db, { kind: "new-video", videoId: id })).kind).toBe("planned");
    expect(await runFanOutBatch(handle.db, { kind: "new-video-batch", videoId: id, from: FIRST_UUID, to: null })).toBe(0);
    expect(await newVideoNotifications(id)).toEqual({ n: fans.length, users: fans.length, early: 0 });
  }, 90_000);

  it("before publishAt the plan waits for it and a batch inserts nothing; once it has come, each follower is told once", async () => {
    const id = await seedListed();
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(200);
    const waiting = await planFanOut(env, handle.db, { kind: "new-video", videoId: id });
    expect(waiting.kind).toBe("not-yet");
    expect(await runFanOutBatch(handle.db, { kind: "new-video-batch", videoId: id, from: FIRST_UUID, to: null })).toBe(0);
    expect((await newVideoNotifications(id)).n).toBe(0);

    await timePasses(id);
    // The delayed message arrives, carrying the time it waited for.
    const arrived = await planFanOut(env, handle.db, { kind: "new-video", videoId: id, publishAt: await storedIso(id) });
    expect(arrived).toEqual({ kind: "planned", batches: 1 });
    const done = await waitFor(() => newVideoNotifications(id), (c) => c.n >= fans.length);
    expect(done).toEqual({ n: fans.length, users: fans.length, early: 0 });
  }, 90_000);

  it("moved later: the message for the old time stops and nothing is told early; the new time tells each follower once", async () => {
    const id = await seedListed();
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(200);
    const first = await storedIso(id);
    expect((await patch(id, { publishAt: new Date(Date.now() + 2 * HOUR).toISOString() })).status).toBe(200);
    // The old time comes: its message is superseded, and a batch still inserts nothing.
    expect(await planFanOut(env, handle.db, { kind: "new-video", videoId: id, publishAt: first })).toEqual({ kind: "superseded" });
    expect(await runFanOutBatch(handle.db, { kind: "new-video-batch", videoId: id, from: FIRST_UUID, to: null })).toBe(0);
    expect((await newVideoNotifications(id)).n).toBe(0);

    await timePasses(id);
    expect((await planFanOut(env, handle.db, { kind: "new-video", videoId: id, publishAt: await storedIso(id) })).kind).toBe("planned");
    expect(await waitFor(() => newVideoNotifications(id), (c) => c.n >= fans.length)).toEqual({ n: fans.length, users: fans.length, early: 0 });
  }, 90_000);

  it("made private before its time: nobody is told, not even once the time has passed", async () => {
    const id = await seedListed();
    expect((await patch(id, { publishAt: inAnHour() })).status).toBe(200);
    const at = await storedIso(id);
    expect((await patch(id, { visibility: "private" })).status).toBe(200);
    await timePasses(id);
    expect((await planFanOut(env, handle.db, { kind: "new-video", videoId: id })).kind).toBe("skip");
    expect((await planFanOut(env, handle.db, { kind: "new-video", videoId: id, publishAt: at })).kind).toBe("superseded");
    expect(await runFanOutBatch(handle.db, { kind: "new-video-batch", videoId: id, from: FIRST_UUID, to: null })).toBe(0);
    expect((await newVideoNotifications(id)).n).toBe(0);
  });
});
