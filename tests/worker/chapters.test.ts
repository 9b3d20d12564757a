// Chapters parsed from the description (contract/chapters.ts): the pure parser against hostile
// descriptions, and `chapters` on the API's video shape (real Postgres inside workerd).
import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { parseChapters } from "#contract/chapters.ts";
import { CHAPTER_TITLE_MAX } from "#contract/api.ts";
import { createApiClient, type Account } from "../support/api-client.ts";

const three = "0:00 Intro\n0:15 Setup\n1:30 Result";

describe("parseChapters", () => {
  it("reads m:ss and h:mm:ss lines among other text, with optional separators", () => {
    const text = "A talk.\n\n0:00 Intro\n  0:45 - The problem\n1:02:03 — Answers ✨ 日本語\nThanks for watching 12:00 later";
    expect(parseChapters(text)).toEqual([
      { startSeconds: 0, title: "Intro" },
      { startSeconds: 45, title: "The problem" },
      { startSeconds: 3723, title: "Answers ✨ 日本語" },
    ]);
    expect(parseChapters("00:00 a\r\n00:10 b\r\n10:00 c")).toEqual([
      { startSeconds: 0, title: "a" },
      { startSeconds: 10, title: "b" },
      { startSeconds: 600, title: "c" },
    ]);
  });

  it("all or nothing: fewer than three, not starting at 0:00, out of order, duplicates, too short, bad times", () => {
    expect(parseChapters("0:00 Intro\n0:15 Setup")).toEqual([]);
    expect(parseChapters("0:05 Intro\n0:15 Setup\n1:30 Result")).toEqual([]);
    expect(parseChapters("0:00 Intro\n1:30 Result\n0:15 Setup")).toEqual([]);
    expect(parseChapters("0:00 Intro\n0:15 Setup\n0:15 Again\n1:30 Result")).toEqual([]);
    expect(parseChapters("0:00 Intro\n0:09 Setup\n1:30 Result")).toEqual([]);
    expect(parseChapters("0:00 Intro\n0:75 Setup\n1:30 Result")).toEqual([]);
    expect(parseChapters("0:00 Intro\n0:15 Setup\n1:75:00 Result")).toEqual([]);
    expect(parseChapters("")).toEqual([]);
  });

  it("the last chapter must last 10 s and start inside the video when the duration is known", () => {
    expect(parseChapters(three, 100)).toHaveLength(3);
    expect(parseChapters(three, 95)).toEqual([]);
    expect(parseChapters(three, 60)).toEqual([]);
    expect(parseChapters(three, null)).toHaveLength(3);
  });

  it("hostile input: huge descriptions and lines stay fast, titles are cut", () => {
    const long = "x".repeat(10_000);
    expect(parseChapters(`0:00 ${long}\n0:15 b\n0:30 c`)[0]!.title).toHaveLength(CHAPTER_TITLE_MAX);
    const many = Array.from({ length: 20_000 }, (_, i) => `${Math.floor((i * 10) / 3600)}:${String(Math.floor(((i * 10) % 3600) / 60)).padStart(2, "0")}:${String((i * 10) % 60).padStart(2, "0")} Part ${i}`).join("\n");
    const started = Date.now();
    expect(parseChapters(many)).toHaveLength(20_000);
    expect(parseChapters(`${"0:00 ".repeat(50_000)}\n${" \t".repeat(50_000)}1`)).toEqual([]);
    expect(parseChapters("1:".repeat(100_000) + "x")).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("chapters on the video", () => {
  const api = createApiClient(SELF);
  let handle: DatabaseHandle;
  let owner: Account;

  beforeAll(async () => {
    handle = openDatabase(env);
    owner = await api.signUpCreator("Chapter Chloe");
  });
  afterAll(async () => {
    await handle.close();
  });

  it("GET /api/videos/:id carries chapters from the description; PATCH changes them", async () => {
    const [row] = await handle.db
      .insert(videos)
      .values({ creatorId: owner.creatorId!, title: "Chaptered", description: `Intro text\n${three}`, visibility: "public", status: "ready", playable: true, progress: 100, durationSeconds: 120, width: 640, height: 360, publishedAt: new Date(), masterKey: "" })
      .returning();
    const id = row!.id;
    const first = await api.request<{ chapters: unknown }>(`/api/videos/${id}`);
    expect(first.status).toBe(200);
    expect(first.body.chapters).toEqual([
      { startSeconds: 0, title: "Intro" },
      { startSeconds: 15, title: "Setup" },
      { startSeconds: 90, title: "Result" },
    ]);
    const patched = await api.request<{ chapters: unknown }>(`/api/videos/${id}`, { method: "PATCH", json: { description: "no chapters now" }, as: owner });
    expect(patched.status).toBe(200);
    expect(patched.body.chapters).toEqual([]);
    const list = await api.request<{ items: { chapters: unknown }[] }>(`/api/creators/${owner.creatorId}/videos`);
    expect(list.status).toBe(200);
    expect(list.body.items[0]!.chapters).toEqual([]);
  });
});
