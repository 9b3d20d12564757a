// GET /api/videos/:id/chapters.vtt (worker/chapters/routes.ts): the chapters track the player's
// <track kind="chapters"> loads. The exact WebVTT (cue ends, the last at the duration or the 24 h
// bound while unprobed), hostile titles escaped so nothing is markup and nothing ends a cue, the
// video's visibility rules, 404 without chapters, and the headers. Real Postgres inside workerd.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { chaptersTrackPath } from "#contract/chapters.ts";
import { CAPTION_MAX_SECONDS } from "#contract/limits.ts";
import { videos } from "#db/schema.ts";
import { plainCueText } from "#worker/captions/cue-text.ts";
import { formatTimestamp, parseCaptions } from "#worker/captions/webvtt.ts";
import { isCacheable } from "#worker/edge-cache/policy.ts";
import { createApiClient, makeAdmin, withDb, type Account, type Problem } from "../support/api-client.ts";
import { seedVideo } from "./support/seed-video.ts";

const api = createApiClient(SELF);

const HOSTILE = [
  "Watch this:",
  "0:00 Intro <script>alert(1)</script>",
  "0:15 a --> b & c",
  "0:30 <b>Bold</b> &amp; <c.x>classy</c>\u0007 <00:00:01.000>",
].join("\n");
const THREE = "0:00 Opening\n0:15 Middle part\n0:30 Finale";
/** Seeded videos last this long (the last chapter must last 10 s). */
const DURATION = 60;
const seed = (description: string, visibility?: "public" | "unlisted" | "private") => seedVideo(owner.creatorId!, { description, visibility, durationSeconds: DURATION });

let owner: Account;
let viewer: Account;
let admin: Account;

beforeAll(async () => {
  owner = await api.signUpCreator("Track Tess");
  viewer = await api.signUp();
  admin = await makeAdmin(env, api, await api.signUp());
});

const track = (id: string, as?: Account, auth?: "bearer" | "cookie") => api.request<string | Problem>(chaptersTrackPath(id), { as, auth });

function expectNotFound(res: { status: number; headers: Headers; body: unknown }) {
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect((res.body as Problem).status).toBe(404);
}

describe("GET /api/videos/:id/chapters.vtt", () => {
  it("is a WebVTT chapters track: one cue per chapter, each to the next start, the last to the duration", async () => {
    const id = await seed(`Notes first.\n${THREE}\nThanks!`);
    const res = await track(id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.text).toBe(
      [
        "WEBVTT",
        "",
        "1",
        "00:00:00.000 --> 00:00:15.000",
        "Opening",
        "",
        "2",
        "00:00:15.000 --> 00:00:30.000",
        "Middle part",
        "",
        "3",
        "00:00:30.000 --> 00:01:00.000",
        "Finale",
        "",
      ].join("\n"),
    );
    // The same chapters as the video's `chapters` field (one parser for both).
    const video = await api.request<{ chapters: { startSeconds: number; title: string }[] }>(`/api/videos/${id}`);
    const parsed = parseCaptions(res.text);
    expect(parsed.ok && parsed.cues.map((c) => ({ startSeconds: c.start, title: c.text }))).toEqual(video.body.chapters);
    // Anonymous copies are shared by the edge cache like the video itself.
    expect(isCacheable(new Request(`http://x${chaptersTrackPath(id)}`))).toBe(true);
  });

  it("escapes hostile titles: no tag, entity or cue end survives as markup", async () => {
    const id = await seed(HOSTILE);
    const res = await track(id);
    expect(res.status).toBe(200);
    const body = res.text;
    expect(body).not.toMatch(/<|\u0007/);
    expect(body.split("\n").filter((line) => line.includes("-->"))).toEqual([
      "00:00:00.000 --> 00:00:15.000",
      "00:00:15.000 --> 00:00:30.000",
      "00:00:30.000 --> 00:01:00.000",
    ]);
    expect(body).toContain("\nIntro &lt;script&gt;alert(1)&lt;/script&gt;\n");
    expect(body).toContain("\na --&gt; b &amp; c\n");
    expect(body).toContain("\n&lt;b&gt;Bold&lt;/b&gt; &amp;amp; &lt;c.x&gt;classy&lt;/c&gt; &lt;00:00:01.000&gt;\n");
    // A strict WebVTT reader (the captions parser) reads exactly three cues whose text has no tags.
    const parsed = parseCaptions(body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.cues).toHaveLength(3);
    for (const cue of parsed.cues) expect(plainCueText(cue.text)).toBe(cue.text);
  });

  it("follows the video's visibility: private for its owner and admins, unlisted by id, removed and deleted 404", async () => {
    const priv = await seed(THREE, "private");
    expectNotFound(await track(priv));
    expectNotFound(await track(priv, viewer));
    // The browser's <track> request carries the session cookies, not a bearer token.
    expect((await track(priv, owner, "cookie")).status).toBe(200);
    expect((await track(priv, owner)).status).toBe(200);
    expect((await track(priv, admin)).status).toBe(200);

    const unlisted = await seed(THREE, "unlisted");
    expect((await track(unlisted)).status).toBe(200);

    const removed = await seed(THREE);
    await withDb(env, (db) => db.update(videos).set({ removedAt: new Date() }).where(eq(videos.id, removed)));
    expectNotFound(await track(removed));
    expectNotFound(await track(removed, owner));

    const deleted = await seed(THREE);
    expect((await api.request(`/api/videos/${deleted}`, { method: "DELETE", as: owner })).status).toBe(204);
    expectNotFound(await track(deleted));
    expectNotFound(await track(deleted, owner));

    expectNotFound(await api.request("/api/videos/not-a-uuid/chapters.vtt"));
    expectNotFound(await track(crypto.randomUUID()));
  });

  it("is 404 for a video without chapters, and follows description edits at once", async () => {
    const id = await seed("0:00 Only\n0:15 two lines");
    expectNotFound(await track(id));
    const patch = (description: string) => api.request(`/api/videos/${id}`, { method: "PATCH", json: { description }, as: owner });
    expect((await patch(THREE)).status).toBe(200);
    expect((await track(id)).text).toContain("\nFinale\n");
    // A last chapter shorter than 10 s: the description has no chapters any more.
    expect((await patch("0:00 a\n0:15 b\n0:55 c")).status).toBe(200);
    expectNotFound(await track(id));
  });

  it("while the video is unprobed the last cue runs to the 24 h bound", async () => {
    const id = await seed(THREE);
    await withDb(env, (db) => db.update(videos).set({ status: "processing", durationSeconds: null }).where(eq(videos.id, id)));
    const res = await track(id);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`\n00:00:30.000 --> ${formatTimestamp(CAPTION_MAX_SECONDS)}\nFinale\n`);
  });
});
