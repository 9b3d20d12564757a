// Every list query is served by an index: with 100k seeded videos, EXPLAIN each query the API
// runs and fail on a sequential scan of videos, views or follows.
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { channelQuery, feedQuery, latestQuery, trendingQuery } from "#worker/discovery/list-queries.ts";
import { findVideosByIds } from "#worker/videos/queries.ts";
import { creatorSearchQuery, videoSearchQuery } from "#worker/discovery/search.ts";
import { creatorStats } from "#worker/creators/stats.ts";
import { recordViews } from "#worker/views/record-views.ts";
import { refreshTrending } from "#worker/sweeps/trending.ts";
import { countUnread, listNotifications, markRead } from "#worker/notifications/queries.ts";
import { planFanOut, runFanOutBatch } from "#worker/notifications/fan-out.ts";
import { readQuota } from "#worker/quotas/quota.ts";

const url = (env as unknown as Record<string, string>).TEST_EXPLAIN_DATABASE_URL!;
const captured: { query: string; params: unknown[] }[] = [];
let seeded: DatabaseHandle;
let logged: DatabaseHandle;
let ids: { userId: string; creatorId: string; videoId: string };

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };

function seqScans(node: PlanNode, found: string[] = []): string[] {
  if (node["Node Type"] === "Seq Scan" && node["Relation Name"]) found.push(node["Relation Name"]);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

async function plansOf(run: () => Promise<unknown>): Promise<{ query: string; scans: string[] }[]> {
  captured.length = 0;
  await run();
  const out = [];
  for (const { query, params } of captured.splice(0)) {
    const client = (seeded.db as unknown as { $client: { query: (q: string, p: unknown[]) => Promise<{ rows: unknown[] }> } }).$client;
    const result = await client.query(`explain (format json) ${query}`, params as unknown[]);
    const plan = (result.rows[0] as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan;
    out.push({ query, scans: seqScans(plan) });
  }
  return out;
}

const forbidden = new Set(["videos", "views", "follows"]);

async function expectIndexed(name: string, run: () => Promise<unknown>) {
  const plans = await plansOf(run);
  expect(plans.length, `${name} ran no query`).toBeGreaterThan(0);
  for (const plan of plans) {
    const bad = plan.scans.filter((r) => forbidden.has(r));
    expect(bad, `${name}: sequential scan of ${bad.join(", ")} in\n${plan.query}`).toEqual([]);
  }
}

beforeAll(async () => {
  seeded = openDatabase({ ...env, DATABASE_URL: url });
  logged = openDatabase({ ...env, DATABASE_URL: url }, { logger: { logQuery: (query, params) => captured.push({ query, params }) } });
  const { db } = seeded;
  const [{ n }] = (await db.execute<{ n: number }>(sql`select count(*)::int as n from videos`)).rows as [{ n: number }];
  if (n < 100_000) {
    // 2,000 creators × 50 videos, 20,000 follows, 7 days of aggregates and raw views.
    await db.execute(sql`insert into users (id, email, password_hash, role)
      select gen_random_uuid(), 'seed' || g || '@example.com', 'x', 'creator' from generate_series(1, 2000) g`);
    await db.execute(sql`insert into creators (user_id, display_name)
      select id, 'Seed creator ' || substr(email, 5, 4) from users where email like 'seed%'`);
    await db.execute(sql`insert into videos (creator_id, title, description, visibility, status, playable, published_at, created_at, duration_seconds)
      select c.id, 'Video ' || g || ' about ' || (array['cats','cooking','travel','music','science'])[1 + g % 5],
             'A seeded description ' || g, (array['public','public','public','unlisted','private'])[1 + g % 5],
             'ready', true, now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval, 60
      from creators c cross join generate_series(1, 50) g`);
    await db.execute(sql`insert into follows (follower_id, creator_id)
      select u.id, c.id from (select id from users order by id limit 200) u
      cross join lateral (select id from creators order by md5(u.id::text || id::text) limit 100) c`);
    await db.execute(sql`insert into video_daily_views (video_id, day, views)
      select v.id, current_date - d, 1 + (abs(hashtext(v.id::text)) + d) % 20
      from (select id from videos order by id limit 20000) v cross join generate_series(0, 6) d`);
    await db.execute(sql`insert into views (video_id, viewer_key, hour, watched_seconds)
      select v.id, 'a:' || g, date_trunc('hour', now()) - (g || ' hours')::interval, 30
      from (select id from videos order by id limit 20000) v cross join generate_series(1, 5) g`);
    await refreshTrending(db);
    await db.execute(sql`analyze`);
  }
  const [row] = (
    await db.execute<{ user_id: string; creator_id: string; video_id: string }>(sql`
      select f.follower_id as user_id, f.creator_id, (select id from videos where creator_id = f.creator_id limit 1) as video_id
      from follows f limit 1`)
  ).rows;
  ids = { userId: row!.user_id, creatorId: row!.creator_id, videoId: row!.video_id };
}, 300_000);

afterAll(async () => {
  await seeded?.close();
  await logged?.close();
});

describe("every list query is served by an index (100k videos)", () => {
  it("latest, with and without a cursor", async () => {
    await expectIndexed("latest", () => latestQuery(logged.db, 24));
    await expectIndexed("latest page 2", () => latestQuery(logged.db, 24, [new Date(Date.now() - 3_600_000).toISOString(), ids.videoId]));
  });

  it("channel (public) and channel (owner: everything)", async () => {
    await expectIndexed("channel", () => channelQuery(logged.db, ids.creatorId, 24, undefined, false));
    await expectIndexed("channel owner", () => channelQuery(logged.db, ids.creatorId, 24, undefined, true));
  });

  it("following feed", async () => {
    await expectIndexed("feed", () => feedQuery(logged.db, ids.userId, 24));
    await expectIndexed("feed page 2", () => feedQuery(logged.db, ids.userId, 24, [new Date().toISOString(), ids.videoId]));
  });

  it("trending, and the refresh that keeps its scores", async () => {
    await expectIndexed("trending", () => trendingQuery(logged.db, 24));
    await expectIndexed("trending page 2", () => trendingQuery(logged.db, 24, [5, ids.videoId]));
  });

  it("search: videos and creators", async () => {
    await expectIndexed("search videos", () => videoSearchQuery(logged.db, "cooking & vid:*", 24));
    await expectIndexed("search creators", () => creatorSearchQuery(logged.db, "seed & creat:*", 10));
  });

  it("loading videos by id, creator stats and recording views", async () => {
    await expectIndexed("byIds", () => findVideosByIds(logged.db, [ids.videoId]));
    await expectIndexed("stats", () => creatorStats(logged.db, ids.creatorId, "2026-01-01", "2026-01-28"));
    await expectIndexed("record views", () =>
      recordViews(logged.db, [{ videoId: ids.videoId, viewerKey: "a:explain", hour: new Date().toISOString(), watchedSeconds: 12 }]),
    );
  });

  it("notifications (list, unread count, mark read), the new-video fan-out and the quota read", async () => {
    await expectIndexed("notifications", () => listNotifications(logged.db, ids.userId, undefined, 24));
    await expectIndexed("notifications page 2", () => listNotifications(logged.db, ids.userId, { t: new Date().toISOString(), id: ids.videoId }, 24));
    await expectIndexed("unread", () => countUnread(logged.db, ids.userId));
    await expectIndexed("mark read", () => markRead(logged.db, ids.userId, undefined));
    // A public video of a followed creator: the plan reads its followers (and queues their ranges).
    const [row] = (
      await seeded.db.execute<{ id: string; follower_id: string }>(sql`
        select v.id, f.follower_id from follows f join videos v on v.creator_id = f.creator_id and v.visibility = 'public' limit 1`)
    ).rows;
    await expectIndexed("fan-out plan", () => planFanOut(env, logged.db, { kind: "new-video", videoId: row!.id }));
    await expectIndexed("fan-out batch", () => runFanOutBatch(logged.db, { kind: "new-video-batch", videoId: row!.id, from: row!.follower_id, to: null }));
    await expectIndexed("quota", () => readQuota(logged.db, env, ids.userId, ids.creatorId));
  });
});
