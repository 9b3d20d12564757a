// One database connection per request (issue #12): a page's in-process API calls (decision 0004)
// share the page's connection instead of opening one each, and it is closed once the response is
// done; API requests open one, or none when nothing queries. Counted by the connection module's
// counters around the real Worker's fetch handler, against real Postgres.
import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { comments, videos } from "#db/schema.ts";
import { connectionCounts, openDatabase } from "#worker/db/connection.ts";
import worker from "#worker/index.ts";
import { createApiClient, withDb, type Account, type ApiResponse, type RequestOptions } from "../support/api-client.ts";

/** The real Worker's fetch handler with `workerEnv`, as a client of the API and pages. */
const clientOf = (workerEnv: Env) =>
  createApiClient({
    async fetch(input, init) {
      const ctx = createExecutionContext();
      const res = await worker.fetch!(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, workerEnv, ctx);
      // The connection is closed after the response (waitUntil): count once that has happened.
      const body = await res.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return new Response(body, res);
    },
  });

const api = clientOf(env);
// Production's path: the HYPERDRIVE binding, 100 ms away (scripts/test.ts), a pipelined
// connection. Without NEON_WS_PROXY the Worker takes it (worker/db/connection.ts).
const viaHyperdrive = clientOf({ ...env, NEON_WS_PROXY: "" });

type Counted = { res: ApiResponse<unknown>; opened: number; closed: number; statements: number; roundTrips: number };

/** The request's response, the connections it opened and closed, its statements and round trips. */
async function counted(path: string, options: RequestOptions = {}, client = api): Promise<Counted> {
  const before = connectionCounts();
  const res = await client.request(path, options);
  // The Neon pool may report a close a moment after it happened: give this request's a moment
  // (a count is awaited, not a duration asserted), so none lands in the next request's count.
  const unclosed = () => connectionCounts().opened - before.opened - (connectionCounts().closed - before.closed);
  for (let i = 0; i < 200 && unclosed() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  const after = connectionCounts();
  return {
    res,
    opened: after.opened - before.opened,
    closed: after.closed - before.closed,
    statements: after.statements - before.statements,
    roundTrips: after.roundTrips - before.roundTrips,
  };
}

let owner: Account;
let viewer: Account;
let videoId: string;

beforeAll(async () => {
  owner = await api.signUpCreator("One Connection Creator");
  viewer = await api.signUp();
  await api.request(`/api/creators/${owner.creatorId}/follow`, { method: "PUT", as: viewer });
  // Seeded with a connection of the test's own, closed before anything is counted.
  videoId = await withDb(env, async (db) => {
    const rows = await db
      .insert(videos)
      .values(
        [1, 2, 3].map((n) => ({
          creatorId: owner.creatorId!,
          title: `One connection video ${n}`,
          description: "one connection",
          visibility: "public" as const,
          status: "ready" as const,
          playable: true,
          progress: 100,
          durationSeconds: 30,
          width: 640,
          height: 360,
          publishedAt: new Date(Date.now() - n * 1000),
          masterKey: "",
        })),
      )
      .returning({ id: videos.id });
    const id = rows[0]!.id;
    await db.update(videos).set({ masterKey: `videos/${id}/master.m3u8` }).where(eq(videos.id, id));
    await db.insert(comments).values({ videoId: id, authorId: owner.user.id, body: "First comment" });
    return id;
  });
  await env.MEDIA.put(`videos/${videoId}/master.m3u8`, "#EXTM3U\n");
});

describe("a page render shares one connection between its in-process API calls", () => {
  it("signed-in watch page: one connection for the video, creator, more videos, comments and the account", async () => {
    const { res, opened, closed } = await counted(`/watch/${videoId}`, { as: viewer, auth: "cookie" });
    expect(res.status).toBe(200);
    // The loaders really reached the database through it.
    expect(res.text).toContain("One connection video 1");
    expect(res.text).toContain("First comment");
    expect(res.text).toContain("One connection video 2");
    expect(opened).toBe(1);
    expect(closed).toBe(1);
  });

  it("anonymous watch page and home page: one connection each", async () => {
    for (const path of [`/watch/${videoId}`, "/", `/c/${owner.creatorId}`]) {
      const { res, opened, closed } = await counted(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain("One connection video");
      expect({ path, opened, closed }).toEqual({ path, opened: 1, closed: 1 });
    }
  });

  it("signed-in home page: one connection", async () => {
    const { res, opened, closed } = await counted("/", { as: viewer, auth: "cookie" });
    expect(res.status).toBe(200);
    expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
  });

  it("a form action and the loaders after it share one connection, and its transaction commits", async () => {
    const form = new URLSearchParams({ intent: "comment", body: "Posted through the page" });
    const { res, opened, closed } = await counted(`/watch/${videoId}`, {
      method: "POST",
      as: viewer,
      auth: "cookie",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBeLessThan(400);
    expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
    const list = await api.request<{ items: { body: string }[] }>(`/api/videos/${videoId}/comments`);
    expect(list.body.items.map((c) => c.body)).toContain("Posted through the page");
  });

  it("a page whose loader fails (unknown video) still closes its connection", async () => {
    const { res, opened, closed } = await counted(`/watch/${crypto.randomUUID()}`, { as: viewer, auth: "cookie" });
    expect(res.status).toBe(404);
    expect(opened).toBeLessThanOrEqual(1);
    expect(closed).toBe(opened);
  });
});

describe("API requests open at most one connection", () => {
  it("signed-in reads: one connection each, closed after the response", async () => {
    for (const path of ["/api/me", "/api/feed/following", `/api/videos/${videoId}`, `/api/videos/${videoId}/comments`]) {
      const { res, opened, closed } = await counted(path, { as: viewer });
      expect(res.status, path).toBe(200);
      expect({ path, opened, closed }).toEqual({ path, opened: 1, closed: 1 });
    }
    const feed = await api.request<{ items: { id: string }[] }>("/api/feed/following", { as: viewer });
    expect(feed.body.items.map((v) => v.id)).toContain(videoId);
  });

  it("a route that does not query opens none", async () => {
    const { res, opened, closed } = await counted("/api/ping");
    expect(res.status).toBe(200);
    expect({ opened, closed }).toEqual({ opened: 0, closed: 0 });
  });

  it("a write in a transaction (comment) on one connection", async () => {
    const { res, opened, closed } = await counted(`/api/videos/${videoId}/comments`, { method: "POST", as: viewer, json: { body: "Through the API" } });
    expect(res.status).toBe(201);
    expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
  });
});

// Round trips are the budget at a distance (issue #12): a page's independent reads go out
// together on the pipelined Hyperdrive connection (the root loader's account beside the video,
// then the creator, their videos and the comments at once), and reads that belong together are
// one statement. Counted by the connection module, through a relay that holds every answer
// 100 ms, so what is sent together stays together on a busy machine.
describe("round trips per request through Hyperdrive", () => {
  // The Neon pool may report an earlier test's close a moment late: start from a closed slate.
  beforeAll(async () => {
    for (let i = 0; i < 500 && connectionCounts().closed < connectionCounts().opened; i++) await new Promise((r) => setTimeout(r, 10));
  });

  const budgets: { route: string; path: () => string; who: "anonymous" | "signed in"; max: number; shows: () => string }[] = [
    { route: "/watch/:id", path: () => `/watch/${videoId}`, who: "signed in", max: 3, shows: () => "First comment" },
    { route: "/watch/:id", path: () => `/watch/${videoId}`, who: "anonymous", max: 2, shows: () => "One connection video 2" },
    { route: "/api/videos/:id", path: () => `/api/videos/${videoId}`, who: "signed in", max: 2, shows: () => "One connection video 1" },
    { route: "/api/videos/:id", path: () => `/api/videos/${videoId}`, who: "anonymous", max: 2, shows: () => "One connection video 1" },
    { route: "/api/me", path: () => "/api/me", who: "signed in", max: 1, shows: () => viewer.user.id },
    { route: "/api/feed/following", path: () => "/api/feed/following", who: "signed in", max: 1, shows: () => videoId },
  ];
  for (const budget of budgets) {
    it(`${budget.who} ${budget.route}: at most ${budget.max}`, async () => {
      const as = budget.who === "signed in" ? { as: viewer, auth: "cookie" as const } : {};
      const { res, opened, closed, roundTrips } = await counted(budget.path(), as, viaHyperdrive);
      expect(res.status).toBe(200);
      expect(res.text).toContain(budget.shows());
      expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
      expect(roundTrips).toBeGreaterThan(0);
      expect(roundTrips).toBeLessThanOrEqual(budget.max);
    });
  }

  it("the signed-in video and the viewer's state of it are one statement on either path", async () => {
    for (const client of [api, viaHyperdrive]) {
      const { res, statements } = await counted(`/api/videos/${videoId}`, { as: viewer }, client);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: videoId, liked: false });
      expect(statements).toBe(1);
    }
  });

  it("a video the caller may not see answers 404 without its comments", async () => {
    const hidden = await withDb(env, async (db) => {
      const [row] = await db
        .insert(videos)
        .values({ creatorId: owner.creatorId!, title: "Hidden", description: "", visibility: "private", status: "ready", masterKey: "" })
        .returning({ id: videos.id });
      await db.insert(comments).values({ videoId: row!.id, authorId: owner.user.id, body: "Secret comment" });
      return row!.id;
    });
    for (const client of [api, viaHyperdrive]) {
      const { res } = await counted(`/api/videos/${hidden}/comments`, { as: viewer }, client);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain("Secret comment");
    }
  });

  it("a transaction on the pipelined connection commits (a comment posted through the page)", async () => {
    const form = new URLSearchParams({ intent: "comment", body: "Posted through Hyperdrive" });
    const { res, opened, closed } = await counted(
      `/watch/${videoId}`,
      { method: "POST", as: viewer, auth: "cookie", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } },
      viaHyperdrive,
    );
    expect(res.status).toBeLessThan(400);
    expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
    const list = await api.request<{ items: { body: string }[] }>(`/api/videos/${videoId}/comments`);
    expect(list.body.items.map((c) => c.body)).toContain("Posted through Hyperdrive");
  });
});

describe("a transaction on the request's one connection", () => {
  it("has it to itself: a statement issued meanwhile runs after it, never inside it", async () => {
    const { db, close } = openDatabase(env);
    try {
      let begun!: () => void;
      const started = new Promise<void>((resolve) => (begun = resolve));
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => (finish = resolve));
      const txid = (rows: unknown) => (rows as { rows: { txid: string | null }[] }).rows[0]!.txid;
      const inside = db.transaction(async (tx) => {
        const own = txid(await tx.execute(sql`select txid_current()::text as txid`));
        begun();
        await gate;
        return own;
      });
      await started;
      // Issued while the transaction is open and idle: on a shared bare client it would run in it.
      // (then() sends it now: drizzle's queries run when awaited.)
      const outside = db.execute(sql`select txid_current_if_assigned()::text as txid`).then((rows) => rows);
      await new Promise((r) => setTimeout(r, 100));
      finish();
      expect(await inside).not.toBeNull();
      expect(txid(await outside)).toBeNull();
    } finally {
      await close();
    }
  });
});
