// The following feed runs one statement built once per isolate (worker/discovery/list-queries.ts):
// whoever asks, with whatever cursor, in whatever order or at the same time, each request must get
// its own user's page, exactly as a statement freshly built for it would.
import { env, SELF } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { feedQuery, listFeed } from "#worker/discovery/list-queries.ts";
import { listedVideos } from "#worker/videos/queries.ts";
import { createApiClient, type Account } from "../support/api-client.ts";

const api = createApiClient(SELF);
let handle: DatabaseHandle;
let fans: { account: Account; follows: string[] }[];
/** Every seeded video, newest first (the feed's order: published_at desc, id desc). */
let seeded: { id: string; creatorId: string }[];

type Page = { items: { id: string; creator: { id: string } }[]; nextCursor: string | null };

beforeAll(async () => {
  handle = openDatabase(env);
  const creators = await Promise.all(["Feed Ada", "Feed Bo", "Feed Cy"].map((name) => api.signUpCreator(name)));
  const [a, b, c] = creators.map((x) => x.creatorId!);
  // The last fan follows more creators than the smaller pages hold: the statement first keeps
  // only the creators whose newest video can be on the page.
  const follows = [[a!, b!], [b!, c!], [c!], [], [a!, b!, c!]];
  fans = await Promise.all(follows.map(async (ids) => {
    const account = await api.signUp();
    for (const id of ids) expect((await api.request(`/api/creators/${id}/follow`, { method: "PUT", as: account })).status).toBeLessThan(300);
    return { account, follows: ids };
  }));
  // Five each, one a minute apart, interleaved across creators; two share a timestamp (the id
  // breaks the tie, and a cursor must land between them).
  const now = Date.now();
  const rows = [a!, b!, c!].flatMap((creatorId, ci) =>
    Array.from({ length: 5 }, (_, i) => ({ creatorId, at: new Date(now - 60_000 * (i * 3 + ci + 1)) })));
  rows[1]!.at = rows[0]!.at;
  const inserted = await handle.db
    .insert(videos)
    .values(rows.map(({ creatorId, at }) => ({
      creatorId, title: "Feed video", description: "", visibility: "public" as const, status: "ready" as const,
      playable: true, progress: 100, durationSeconds: 10, width: 640, height: 360, publishedAt: at, masterKey: "",
    })))
    .returning({ id: videos.id, creatorId: videos.creatorId, publishedAt: videos.publishedAt });
  seeded = inserted
    .sort((x, y) => y.publishedAt!.getTime() - x.publishedAt!.getTime() || (x.id < y.id ? 1 : -1))
    .map(({ id, creatorId }) => ({ id, creatorId }));
});

afterAll(async () => {
  await handle.close();
});

const expectedFeed = (follows: string[]) => seeded.filter((v) => follows.includes(v.creatorId)).map((v) => v.id);

describe("the following feed's statement, built once", () => {
  it("pages through each user's own feed, requests of different users interleaved and concurrent", async () => {
    const cursors = new Map<number, string | null | undefined>(fans.map((_, i) => [i, undefined]));
    const got = fans.map(() => [] as string[]);
    // Round after round, every fan still paging asks for their next page at the same time.
    for (let round = 0; round < 10 && [...cursors.values()].some((c) => c !== null); round++) {
      const asking = [...cursors.entries()].filter(([, c]) => c !== null);
      const pages = await Promise.all(asking.map(([i, cursor]) =>
        api.request<Page>(`/api/feed/following?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { as: fans[i]!.account })));
      pages.forEach((page, k) => {
        const i = asking[k]![0];
        expect(page.status).toBe(200);
        got[i]!.push(...page.body.items.map((v) => v.id));
        cursors.set(i, page.body.nextCursor);
      });
    }
    fans.forEach((fan, i) => expect(got[i], `fan ${i}`).toEqual(expectedFeed(fan.follows)));
    expect(got[3]).toEqual([]);
  });

  it("answers exactly what a statement freshly built for the request answers", async () => {
    for (const fan of fans) {
      const all = expectedFeed(fan.follows);
      for (const [limit, after] of [[3, undefined], [2, 1], [4, 2], [20, 0], [1, all.length - 1]] as const) {
        const last = after === undefined ? undefined : seeded.find((v) => v.id === all[after]);
        const cursor = last ? await cursorOf(last.id) : undefined;
        const fresh = listedVideos(await feedQuery(handle.db, fan.account.user.id, limit, cursor));
        const prepared = await listFeed(handle.db, fan.account.user.id, limit, cursor);
        expect(prepared).toEqual(fresh);
        expect(prepared.map((v) => v.id)).toEqual(all.slice(after === undefined ? 0 : after + 1).slice(0, limit));
      }
    }
  });
});

/** The feed's cursor for a video: its published_at (to the microsecond) and id. */
async function cursorOf(id: string): Promise<[string, string]> {
  // The text of the timestamp, as Postgres prints it: no rounding through a JS Date.
  const { rows } = await handle.db.execute<{ at: string }>(sql`select published_at::text as at from videos where id = ${id}`);
  return [rows[0]!.at, id];
}
