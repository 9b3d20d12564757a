// Chunked transcoding on the local platform with a fleet of two transcoders: a 3-minute 1080p30
// upload with audio is cut into chunks encoded side by side, and what a player reads back is
// one seamless video per rung (issue #11, acceptance 1).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator, uploadFile, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { checkRendition, decodeFile, readMaster, sourceFacts } from "../support/hls-check.ts";

type Video = { id: string; status: string; playable: boolean; progress: number; durationSeconds: number | null; playback: { hls: string; poster: string | null; storyboard: string | null } | null };

let stack: Stack;
let dir: string;
let creator: Session;
let db: pg.Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-chunked-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = await recreateDatabase(server, "edge_video_test_chunked");
  stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl, build: false, sweepIntervalMs: 2000, transcoders: 2 });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  creator = await signUpCreator(stack.origin, "Chunked creator");
}, 300_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a 3-minute 1080p upload through two transcoders", () => {
  it("is playable within seconds, ready, and seamless across every chunk", { timeout: 900_000 }, async () => {
    const clip = await makeClip(path.join(dir, "three-minutes.mp4"), { seconds: 180, width: 1920, height: 1080, videoBitrate: "3M" });
    const source = await sourceFacts(clip);
    const { videoId, etags } = await uploadFile(creator, new Uint8Array(await readFile(clip)), { title: "Three minutes" });
    const completedAt = Date.now();
    const done = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    expect(done.status).toBe(202);

    const playable = await waitForVideo<Video>(creator, videoId, (v) => v.playable, 60_000);
    const playableSeconds = (Date.now() - completedAt) / 1000;
    expect(playable.status).toBe("processing");
    const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 800_000);
    const readySeconds = (Date.now() - completedAt) / 1000;
    console.log(`3-min 1080p: playable ${playableSeconds.toFixed(2)} s, ready ${readySeconds.toFixed(1)} s after upload-complete (${(180 / readySeconds).toFixed(2)}× realtime, 2 transcoders)`);

    // The work really was spread: many chunks, and both transcoders encoded some.
    const { rows } = await db.query("select kind, count(*)::int as n, max(attempts) as attempts from transcode_tasks where video_id = $1 group by kind order by kind", [videoId]);
    expect(rows).toEqual([
      { kind: "audio", n: 4, attempts: 1 }, // 0–8, 8–64, 64–128, 128–180 s
      { kind: "chunk", n: expect.any(Number), attempts: 1 },
      { kind: "stills", n: 1, attempts: 1 },
    ]);
    expect(rows[1].n).toBeGreaterThan(10);
    const logs = await Promise.all([0, 1].map((i) => readFile(path.join(dir, "state", "logs", `transcoder-${i}.log`), "utf8")));
    for (const log of logs) expect(log).toContain("chunk done");

    const master = await readMaster(ready.playback!.hls);
    expect(master.audioUri).toBe("audio/playlist.m3u8");
    expect(master.variants.map((v) => v.uri.split("/")[0])).toEqual(expect.arrayContaining(["1080p", "720p", "480p", "360p", "240p"]));
    for (const variant of master.variants) expect(variant.attributes.AUDIO).toBe("audio");

    const audio = await checkRendition(ready.playback!.hls, master.audioUri!, dir);
    expect(audio.continuous).toBe(true);
    for (const variant of master.variants) {
      const rung = await checkRendition(ready.playback!.hls, variant.uri, dir);
      expect(rung.playlist.text).not.toContain("EXT-X-DISCONTINUITY");
      expect(rung.playlist.ended).toBe(true);
      expect(rung.numbers).toEqual(rung.numbers.map((_, i) => i + 1));
      expect(Math.abs(rung.playlistSeconds - source.videoSeconds)).toBeLessThanOrEqual(0.1);
      expect(rung.continuous).toBe(true);
      expect(Math.abs(rung.mediaSeconds - audio.mediaSeconds)).toBeLessThanOrEqual(0.05);
      const decoded = await decodeFile(rung.file);
      expect(decoded.errors).toBe("");
      expect(Math.abs(decoded.frames - source.frames)).toBeLessThanOrEqual(1);
    }
    expect(ready.durationSeconds).toBeCloseTo(source.videoSeconds, 1);

    // Storyboard sheets come from the chunks; every cue's sheet exists.
    const vtt = await (await fetch(ready.playback!.storyboard!)).text();
    const sheets = [...new Set([...vtt.matchAll(/(storyboard\/\d+\.jpg)#xywh/g)].map((m) => m[1]!))];
    expect(sheets.length).toBeGreaterThan(1);
    for (const sheet of sheets) expect((await fetch(new URL(sheet, ready.playback!.storyboard!))).status).toBe(200);
    expect((await fetch(ready.playback!.poster!)).headers.get("content-type")).toBe("image/jpeg");
  });
});
