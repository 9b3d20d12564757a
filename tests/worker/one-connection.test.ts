// One database connection per request (issue #12): a page's in-process API calls (decision 0004)
// share the page's connection instead of opening one each, and it is closed once the response is
// done; API requests open one, or none when nothing queries. Counted by the connection module's
// counters around the real Worker's fetch handler, against real Postgres.
import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { comments, videos } from "#db/schema.ts";
import { connectionCounts } from "#worker/db/connection.ts";
import worker from "#worker/index.ts";
import { createApiClient, withDb, type Account, type ApiResponse, type RequestOptions } from "../support/api-client.ts";

const api = createApiClient({
  async fetch(input, init) {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(new Request(input, init) as Request<unknown, IncomingRequestCfProperties>, env, ctx);
    // The connection is closed after the response (waitUntil): count once that has happened.
    const body = await res.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, res);
  },
});

type Counted = { res: ApiResponse<unknown>; opened: number; closed: number };

/** The request's response and the connections it opened and closed. */
async function counted(path: string, options: RequestOptions = {}): Promise<Counted> {
  const before = connectionCounts();
  const res = await api.request(path, options);
  const after = connectionCounts();
  return { res, opened: after.opened - before.opened, closed: after.closed - before.closed };
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
