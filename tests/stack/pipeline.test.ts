// Upload → transcode → watch on the real local stack, against real Postgres (DATABASE_URL).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, reportPart, signUpCreator, uploadFile, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";

type Video = { id: string; status: string; playable: boolean; progress: number; playback: { hls: string; poster: string | null; storyboard: string | null } | null; durationSeconds: number | null; width: number | null; height: number | null; failureReason: string | null };

let stack: Stack;
let dir: string;
let creator: Session;
let db: pg.Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-pipeline-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = await recreateDatabase(server, "edge_video_test_stack");
  stack = await startStack({
    stateDir: path.join(dir, "state"),
    databaseUrl,
    build: false,
    sweepIntervalMs: 1000,
    vars: { HEARTBEAT_TIMEOUT_SECONDS: "6" },
  });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  creator = await signUpCreator(stack.origin, "Pipeline creator");
});

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("upload and transcode on the local stack", () => {
  it("uses the Postgres server named by DATABASE_URL", () => {
    expect(stack.databaseKind).toBe("postgres");
  });

  it("create → parts straight to storage → resume listing → complete → playable → ready", async () => {
    // ~12 MB: two 8 MiB parts, so the multipart path is real.
    const clip = await makeClip(path.join(dir, "landscape.mp4"), { seconds: 6, width: 1280, height: 720, videoBitrate: "16M" });
    const bytes = new Uint8Array(await readFile(clip));
    const first = await uploadFile(creator, bytes, { title: "Landscape", stopAfterParts: 1 });
    expect(first.upload.parts.length).toBe(2);

    // Resume: storage reports the part it has and hands out a fresh URL for the other.
    const resume = await api<{ uploaded: { partNumber: number; etag: string }[]; parts: { partNumber: number; url: string }[] }>(
      stack.origin,
      `/api/videos/${first.videoId}/upload`,
      { token: creator.token },
    );
    expect(resume.status).toBe(200);
    expect(resume.body.uploaded.map((p) => p.partNumber)).toEqual([1]);
    expect(resume.body.parts.map((p) => p.partNumber)).toEqual([2]);
    const second = resume.body.parts[0]!;
    const put = await fetch(second.url, { method: "PUT", body: bytes.slice(first.upload.partSize) });
    expect(put.status).toBe(200);
    await reportPart(creator, first.videoId, 2, put.headers.get("etag")!, bytes.byteLength - first.upload.partSize);
    const parts = [...first.etags, { partNumber: 2, etag: put.headers.get("etag")! }];

    const completed = await api<Video>(stack.origin, `/api/videos/${first.videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts }),
    });
    expect(completed.status).toBe(202);
    expect(["queued", "processing"]).toContain(completed.body.status);
    const completedAt = Date.now();

    // Completing again is harmless.
    const again = await api<Video>(stack.origin, `/api/videos/${first.videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts }),
    });
    expect(again.status).toBe(202);

    const playable = await waitForVideo<Video>(creator, first.videoId, (v) => v.playable);
    const firstPlayableSeconds = (Date.now() - completedAt) / 1000;
    expect(playable.playback?.hls).toMatch(/master\.m3u8$/);
    const master = await fetch(playable.playback!.hls);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain("#EXT-X-STREAM-INF");

    const ready = await waitForVideo<Video>(creator, first.videoId, (v) => v.status === "ready");
    expect(ready.progress).toBe(100);
    expect(ready.width).toBe(1280);
    expect(ready.height).toBe(720);
    expect(ready.durationSeconds).toBeGreaterThan(5);
    expect(ready.playback?.poster).toBeTruthy();
    const masterText = await (await fetch(ready.playback!.hls)).text();
    const variant = masterText.split("\n").find((l) => l && !l.startsWith("#"))!;
    const media = await (await fetch(new URL(variant, ready.playback!.hls))).text();
    expect(media).toContain("#EXT-X-ENDLIST");
    const segment = media.split("\n").find((l) => l.endsWith(".m4s"))!;
    const seg = await fetch(new URL(segment, new URL(variant, ready.playback!.hls)));
    expect(seg.status).toBe(200);
    expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    console.log(`first playable ${firstPlayableSeconds.toFixed(2)} s after upload-complete`);
  });

  it("a transcoder killed mid-job is retried and the video still finishes", async () => {
    const clip = await makeClip(path.join(dir, "long.mp4"), { seconds: 24, width: 1280, height: 720 });
    const bytes = new Uint8Array(await readFile(clip));
    const { videoId, etags } = await uploadFile(creator, bytes, { title: "Killed mid-job" });
    const completed = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts: etags }),
    });
    expect(completed.status).toBe(202);
    await waitForVideo<Video>(creator, videoId, (v) => v.status === "processing" && v.progress > 0);
    await stack.stopTranscoder("SIGKILL");
    await stack.startTranscoder();
    const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 180_000);
    expect(ready.playable).toBe(true);
    const { rows } = await db.query("select attempt from videos where id = $1", [videoId]);
    expect(rows[0].attempt).toBeGreaterThanOrEqual(2);
  });

  it("a file that is not a video ends failed with a reason a person understands", async () => {
    const junk = new TextEncoder().encode("this is not a video at all\n".repeat(1000));
    const { videoId, etags } = await uploadFile(creator, junk, { title: "Not a video" });
    await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    const failed = await waitForVideo<Video>(creator, videoId, (v) => v.status === "failed");
    expect(failed.failureReason).toMatch(/not a video/i);
  });
});
