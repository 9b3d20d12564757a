// The platform as `npm run dev` runs it: embedded PGlite (no DATABASE_URL), wrangler dev with
// local R2 + S3 API + Queues, the transcoder process, all on one loopback origin.
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { root, startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator } from "../support/api-calls.ts";
import { localS3 } from "../support/s3-client.ts";

let stack: Stack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-stack-"));
  stack = await startStack({ stateDir, build: false, sweepIntervalMs: 0 });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("local platform on embedded PGlite", () => {
  it("uses PGlite when no DATABASE_URL is given, and health checks it", async () => {
    expect(stack.databaseKind).toBe("pglite");
    const res = await fetch(`${stack.origin}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("PGlite holds up under concurrent requests (one shared backend behind the socket server)", async () => {
    for (let round = 0; round < 3; round++) {
      const signups = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => signUpCreator(stack.origin, `Concurrent ${round}.${i}`)));
      expect(signups.filter((s) => s.status === "rejected")).toEqual([]);
      const lists = await Promise.all(Array.from({ length: 30 }, () => api(stack.origin, "/api/videos?sort=latest").then((r) => r.status)));
      expect(new Set(lists)).toEqual(new Set([200]));
    }
    expect((await api(stack.origin, "/api/health")).status).toBe(200);
  });

  it("a burst of anonymous reads of one cold public read is answered whole by every request (misses collapse across requests)", async () => {
    // A search nobody made before is a cold edge-cache key: the first request asks the database,
    // the others wait for its answer. Each must get the full answer, not an error, even though
    // they are different requests of the Worker (objects of one request cannot be read in another).
    const url = `/api/search?q=${encodeURIComponent(`kestrel ${crypto.randomUUID().slice(0, 8)}`)}`;
    const answers = await Promise.all(Array.from({ length: 24 }, () => fetch(stack.origin + url)));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(answers.map((r) => r.status)).toEqual(Array(24).fill(200));
    // Those that arrive once the first answer is stored are HITs; none bypasses or fails.
    const labels = answers.map((r) => r.headers.get("x-cache"));
    expect(labels).toContain("MISS");
    expect(labels.filter((l) => l !== "MISS" && l !== "HIT")).toEqual([]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ items: [] });
    expect((await fetch(stack.origin + url)).headers.get("x-cache")).toBe("HIT");
  });

  it("migrations were applied to the empty embedded database", async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query("select table_name from information_schema.tables where table_schema = 'public' order by 1");
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(["creators", "follows", "refresh_tokens", "users", "video_daily_views", "videos", "views"]),
      );
      const applied = await client.query("select count(*)::int as n from drizzle.__drizzle_migrations");
      const journal = JSON.parse(await readFile(path.join(root, "db/migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };
      expect(applied.rows[0].n).toBe(journal.entries.length);
    } finally {
      await client.end();
    }
  });

  it("serves the web app on the same origin", async () => {
    const res = await fetch(`${stack.origin}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Edge Video");
  });

  it("an object written through the local S3 API is read through the Worker's R2 binding", async () => {
    const s3 = localS3(stack.s3);
    const key = `videos/${crypto.randomUUID()}/master.m3u8`;
    const body = "#EXTM3U\n#EXT-X-VERSION:7\n";
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: key, Body: body }));
    const res = await fetch(`${stack.origin}/media/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(await res.text()).toBe(body);
    const segmentKey = key.replace("master.m3u8", "360p/seg_00001.m4s");
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: segmentKey, Body: "0123456789" }));
    const ranged = await fetch(`${stack.origin}/media/${segmentKey}`, { headers: { range: "bytes=2-5" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await ranged.text()).toBe("2345");
    const back = await s3.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: key }));
    expect(await back.Body!.transformToString()).toBe(body);
  });

  it("the transcoder process is up and reachable", async () => {
    const res = await fetch(`${stack.transcoderUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
