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
import { checkRendition, readMaster } from "../support/hls-check.ts";

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

  it("a transcoder killed mid-chunk: that chunk is redone elsewhere, the video finishes, nothing is duplicated", async () => {
    const clip = await makeClip(path.join(dir, "long.mp4"), { seconds: 40, width: 1280, height: 720 });
    const bytes = new Uint8Array(await readFile(clip));
    const { videoId, etags } = await uploadFile(creator, bytes, { title: "Killed mid-chunk" });
    const completed = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts: etags }),
    });
    expect(completed.status).toBe(202);
    // Wait until a chunk is running on some transcoder, then kill that one (FFmpeg with it).
    let busy = -1;
    const deadline = Date.now() + 60_000;
    while (busy < 0 && Date.now() < deadline) {
      const { rows } = await db.query("select count(*)::int as n from transcode_tasks where video_id = $1 and kind = 'chunk' and state = 'running'", [videoId]);
      if (rows[0].n > 0) {
        for (const [i, url] of stack.fleet.urls.entries()) {
          const health = (await (await fetch(`${url}/health`)).json()) as { busy: boolean };
          if (health.busy) busy = i;
        }
      }
      if (busy < 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(busy).toBeGreaterThanOrEqual(0);
    await stack.fleet.stop(busy, "SIGKILL");
    const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 180_000);
    await stack.fleet.start(busy);
    expect(ready.playable).toBe(true);
    const { rows } = await db.query("select v.attempt, max(t.attempts) as most from videos v join transcode_tasks t on t.video_id = v.id where v.id = $1 group by v.attempt", [videoId]);
    // Retried per task, not per video.
    expect(rows[0].attempt).toBe(1);
    expect(rows[0].most).toBeGreaterThanOrEqual(2);
    const master = await readMaster(ready.playback!.hls);
    for (const variant of master.variants) {
      const rung = await checkRendition(ready.playback!.hls, variant.uri, dir);
      expect(rung.numbers).toEqual(rung.numbers.map((_, i) => i + 1));
      expect(rung.continuous).toBe(true);
      expect(Math.abs(rung.playlistSeconds - 40)).toBeLessThanOrEqual(0.1);
    }
  });

  it("a full fleet delays work but fails none: busy transcoders are back-pressure, not attempts", async () => {
    const clip = await makeClip(path.join(dir, "busy.mp4"), { seconds: 12, width: 1280, height: 720 });
    const bytes = new Uint8Array(await readFile(clip));
    // Three videos at once on two one-slot transcoders: most hand-outs find every slot taken.
    const uploads = await Promise.all([1, 2, 3].map((n) => uploadFile(creator, bytes, { title: `Busy ${n}` })));
    await Promise.all(
      uploads.map(({ videoId, etags }) =>
        api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) }),
      ),
    );
    for (const { videoId } of uploads) {
      const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 240_000);
      expect(ready.playable).toBe(true);
    }
    const { rows } = await db.query("select max(attempts) as most from transcode_tasks where video_id = any($1::uuid[])", [uploads.map((u) => u.videoId)]);
    expect(rows[0].most).toBe(1);
  });

  it("a file that is not a video ends failed with a reason a person understands", async () => {
    const junk = new TextEncoder().encode("this is not a video at all\n".repeat(1000));
    const { videoId, etags } = await uploadFile(creator, junk, { title: "Not a video" });
    await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    const failed = await waitForVideo<Video>(creator, videoId, (v) => v.status === "failed");
    expect(failed.failureReason).toMatch(/not a video/i);
  });
});
