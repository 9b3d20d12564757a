// End to end through the real server process, FFmpeg and local R2: what gets published for
// different kinds of sources, and how bad sources are refused.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CallbackPayload } from "../../transcode-container/src/contract.ts";
import { listJobDirs } from "../../transcode-container/src/work-dir.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { durations, prepareJob, probeStoredRung, readPublished, type TestJob } from "./helpers/harness.ts";
import {
  ffmpeg,
  makeAudioOnly,
  makeClip,
  makeHugeClip,
  makeInterlacedClip,
  makeRotatedClip,
  makeTextFile,
  makeVfrClip,
  truncateCopy,
} from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

let dir: string;
let bucket: TestBucket;
let recorder: CallbackRecorder;
let transcoder: TranscoderProcess;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "transcode-media-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  // A short duration limit so "too long" needs only a small file.
  transcoder = await TranscoderProcess.start(inject("r2"), { env: { MAX_DURATION_SECONDS: "30" } });
});

afterAll(async () => {
  await transcoder?.stop();
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(file: string): Promise<{ job: TestJob; events: CallbackPayload[]; last: CallbackPayload }> {
  const job = await prepareJob(bucket, recorder, file);
  const response = await transcoder.postJob(job.body);
  expect(response.status).toBe(202);
  expect(await response.json()).toEqual({ accepted: true, jobId: job.jobId });
  const last = (await recorder.terminal(job.jobId)).payload;
  return { job, events: recorder.for(job.jobId), last };
}

function rungSummary(last: CallbackPayload): string[] {
  return (last.result?.renditions ?? []).map((r) => `${r.name}:${r.width}x${r.height}`);
}

describe("publishing", () => {
  it("transcodes a landscape clip with audio into an aligned, playable-early HLS ladder", async () => {
    const file = await makeClip(dir, "landscape", { width: 1280, height: 720, seconds: 12, audio: true });
    const job = await prepareJob(bucket, recorder, file);
    const prefix = `videos/${job.videoId}/`;
    // What storage holds at the moment the Worker hears "playable".
    let atPlayable: { keys: string[]; endlist: boolean[] } | null = null;
    recorder.hooks.push(async (payload) => {
      if (payload.jobId !== job.jobId || payload.event !== "playable") return;
      const keys = await bucket.list(prefix);
      const endlist = await Promise.all(
        ["720p", "480p", "360p", "240p"].map(async (r) =>
          (await bucket.getText(`${prefix}${r}/playlist.m3u8`)).includes("#EXT-X-ENDLIST"),
        ),
      );
      atPlayable = { keys, endlist };
    });
    // The first delivery of "ready" fails: it must be retried.
    recorder.failures.set("ready", 1);
    const started = Date.now();
    expect((await transcoder.postJob(job.body)).status).toBe(202);
    const ready = await recorder.terminal(job.jobId);
    const events = recorder.for(job.jobId);
    const names = events.map((e) => e.event);

    expect(ready.payload.event).toBe("ready");
    expect(recorder.problems).toEqual([]);
    expect(names[0]).toBe("started");
    expect(names.filter((n) => n === "playable")).toHaveLength(1);
    expect(names.indexOf("progress")).toBeGreaterThan(0);
    expect(names.indexOf("playable")).toBeLessThan(names.indexOf("ready"));
    expect(recorder.attempts.get(`${job.jobId}:1:ready`)).toBe(2);
    // Heartbeat: never 10 s without hearing from the job.
    const times = recorder.events.filter((e) => e.payload.jobId === job.jobId).map((e) => e.receivedAt);
    for (let i = 1; i < times.length; i += 1) expect(times[i] - times[i - 1]).toBeLessThan(10_000);
    const progress = events.filter((e) => e.event === "progress").map((e) => e.progress ?? -1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.find((e) => e.probe)?.probe).toEqual({ durationSeconds: 12, width: 1280, height: 720, hasAudio: true });

    // Playable while still encoding: master and first segments were there, no rung had ended.
    expect(atPlayable).not.toBeNull();
    const early = atPlayable!;
    expect(early.keys).toContain(`${prefix}master.m3u8`);
    for (const rung of ["720p", "480p", "360p", "240p"]) {
      expect(early.keys).toContain(`${prefix}${rung}/init.mp4`);
      expect(early.keys).toContain(`${prefix}${rung}/seg_00001.m4s`);
    }
    expect(early.endlist).toEqual([false, false, false, false]);

    const result = ready.payload.result!;
    expect(rungSummary(ready.payload)).toEqual(["720p:1280x720", "480p:854x480", "360p:640x360", "240p:426x240"]);
    expect(result.master).toBe(`${prefix}master.m3u8`);
    expect(result.poster).toBe(`${prefix}poster.jpg`);
    expect(result.thumbnails).toEqual([1, 2, 3, 4].map((i) => `${prefix}thumbs/${i}.jpg`));
    expect(result.storyboard).toEqual({ image: `${prefix}storyboard.jpg`, vtt: `${prefix}storyboard.vtt` });
    expect(result.durationSeconds).toBeCloseTo(12, 1);
    for (const rendition of result.renditions) {
      expect(rendition.codecs).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      expect(rendition.playlist).toBe(`${prefix}${rendition.name}/playlist.m3u8`);
      expect(rendition.bandwidth).toBeGreaterThanOrEqual(rendition.averageBandwidth);
      expect(rendition.frameRate).toBe(30);
    }

    const published = await readPublished(bucket, job.videoId);
    expect(published.missing).toEqual([]);
    expect(published.orphans).toEqual([]);
    // Master: start rung (480p) first, every attribute present, relative URIs.
    expect(published.master.map((v) => v.uri)).toEqual([
      "480p/playlist.m3u8",
      "720p/playlist.m3u8",
      "360p/playlist.m3u8",
      "240p/playlist.m3u8",
    ]);
    for (const variant of published.master) {
      const a = variant.attributes;
      expect(Number(a.BANDWIDTH)).toBeGreaterThan(0);
      expect(Number(a["AVERAGE-BANDWIDTH"])).toBeGreaterThan(0);
      expect(a.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      expect(a.RESOLUTION).toMatch(/^\d+x\d+$/);
      expect(a["FRAME-RATE"]).toBe("30.000");
    }
    const master = await bucket.getText(result.master);
    expect(master).toContain("#EXT-X-VERSION:7");
    expect(master).toContain("#EXT-X-INDEPENDENT-SEGMENTS");
    // Every rung: EVENT playlist ended with ENDLIST, identical segment boundaries.
    const reference = durations(published.playlists.get("720p")!);
    expect(reference).toEqual(["1.000", "1.000", "2.000", "4.000", "4.000"]);
    for (const [rung, playlist] of published.playlists) {
      expect(playlist.playlistType, rung).toBe("EVENT");
      expect(playlist.text.trimEnd().endsWith("#EXT-X-ENDLIST"), rung).toBe(true);
      expect(playlist.targetDuration).toBe(4);
      expect(playlist.initUri).toBe("init.mp4");
      expect(durations(playlist), rung).toEqual(reference);
    }
    // Stored media decodes as H.264 High + AAC at the rung's size.
    const streams = await probeStoredRung(bucket, job.videoId, "480p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 854, height: 480, profile: "High" });
    expect(streams.some((s) => s.codec_name === "aac")).toBe(true);

    // Content types as the media route will serve them.
    expect((await bucket.getBytes(`${prefix}master.m3u8`)).contentType).toBe("application/vnd.apple.mpegurl");
    expect((await bucket.getBytes(`${prefix}720p/seg_00001.m4s`)).contentType).toBe("video/mp4");
    expect((await bucket.getBytes(`${prefix}720p/init.mp4`)).contentType).toBe("video/mp4");
    const poster = await bucket.getBytes(result.poster);
    expect(poster.contentType).toBe("image/jpeg");
    expect([...poster.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const vtt = await bucket.getBytes(result.storyboard.vtt);
    expect(vtt.contentType).toMatch(/^text\/vtt/);
    const cues = new TextDecoder().decode(vtt.bytes);
    expect(cues.startsWith("WEBVTT")).toBe(true);
    expect(cues).toContain("storyboard.jpg#xywh=0,0,160,90");
    expect(cues.match(/-->/g)).toHaveLength(12);

    // The job is done, its temp folder is gone, the API says so.
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    const status = await (await transcoder.fetch(`/jobs/${job.videoId}`)).json();
    expect(status).toEqual({ videoId: job.videoId, jobId: job.jobId, attempt: 1, state: "done", progress: 100 });
    const elapsed = (Date.now() - started) / 1000;
    const playableAfter = (recorder.events.find((e) => e.payload.jobId === job.jobId && e.payload.event === "playable")!.receivedAt - started) / 1000;
    console.info(`720p 12 s clip: playable after ${playableAfter.toFixed(2)} s, ready after ${elapsed.toFixed(2)} s`);
  });

  it("transcodes a portrait clip without audio into video-only renditions", async () => {
    const { last } = await run(await makeClip(dir, "portrait", { width: 360, height: 640, seconds: 3 }));
    expect(last.event).toBe("ready");
    expect(rungSummary(last)).toEqual(["360p:360x640", "240p:240x426"]);
    for (const rendition of last.result!.renditions) expect(rendition.codecs).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
    expect(last.probe?.hasAudio).toBe(false);
    const published = await readPublished(bucket, last.videoId);
    expect(published.master.every((v) => !v.attributes.CODECS.includes("mp4a"))).toBe(true);
    expect(durations(published.playlists.get("360p")!)).toEqual(durations(published.playlists.get("240p")!));
  });

  it("rounds odd sizes to even and keeps the aspect ratio", async () => {
    const { last } = await run(await makeClip(dir, "odd", { width: 321, height: 241, seconds: 2, audio: true }));
    expect(rungSummary(last)).toEqual(["240p:320x240"]);
    const streams = await probeStoredRung(bucket, last.videoId, "240p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 320, height: 240 });
  });

  it("honours rotation metadata (displayed size, upright pixels)", async () => {
    const plain = await makeClip(dir, "to-rotate", { width: 640, height: 360, seconds: 2, audio: true });
    const { last } = await run(await makeRotatedClip(dir, "rotated", plain, 90));
    expect(rungSummary(last)).toEqual(["360p:360x640", "240p:240x426"]);
    const streams = await probeStoredRung(bucket, last.videoId, "360p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 360, height: 640 });
  });

  it("turns a variable frame rate source into constant frame rate output", async () => {
    const { last } = await run(await makeVfrClip(dir, "vfr"));
    expect(last.event).toBe("ready");
    const published = await readPublished(bucket, last.videoId);
    const rate = Number(published.master[0].attributes["FRAME-RATE"]);
    const streams = await probeStoredRung(bucket, last.videoId, "240p");
    const video = streams.find((s) => s.codec_name === "h264")!;
    const [num, den] = video.r_frame_rate.split("/").map(Number);
    expect(num / den).toBeCloseTo(rate, 1);
    expect(last.result!.durationSeconds).toBeGreaterThan(3.5);
  });

  it("keeps segments aligned when low rungs run at half the frame rate (59.94 → 29.97)", async () => {
    const { last } = await run(
      await makeClip(dir, "ntsc60", { width: 1280, height: 720, seconds: 6, rate: "60000/1001", audio: true }),
    );
    expect(last.result!.renditions.map((r) => [r.name, r.frameRate])).toEqual([
      ["720p", 59.94],
      ["480p", 29.97],
      ["360p", 29.97],
      ["240p", 29.97],
    ]);
    const published = await readPublished(bucket, last.videoId);
    const reference = durations(published.playlists.get("720p")!);
    // Boundaries at 0, 1, 2, 4 s snapped to the 29.97 grid, shared by the 59.94 rung.
    expect(reference.slice(0, 3)).toEqual(["1.001", "1.001", "2.002"]);
    expect(reference.reduce((sum, d) => sum + Number(d), 0)).toBeCloseTo(6, 0);
    for (const [rung, playlist] of published.playlists) expect(durations(playlist), rung).toEqual(reference);
    expect(published.master.find((v) => v.uri.startsWith("720p"))!.attributes["FRAME-RATE"]).toBe("59.940");
  });

  it("deinterlaces an interlaced PAL source into progressive renditions", async () => {
    const { last } = await run(await makeInterlacedClip(dir, "pal"));
    expect(rungSummary(last)).toEqual(["480p:600x480", "360p:450x360", "240p:300x240"]);
    const streams = await probeStoredRung(bucket, last.videoId, "480p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 600, height: 480 });
  });

  it("handles a clip shorter than the first segment", async () => {
    const { last } = await run(await makeClip(dir, "blink", { width: 320, height: 240, seconds: 0.4, audio: true }));
    expect(last.event).toBe("ready");
    const published = await readPublished(bucket, last.videoId);
    expect(published.playlists.get("240p")!.segments).toHaveLength(1);
    expect(last.result!.thumbnails.length).toBeGreaterThan(0);
    expect(await bucket.exists(last.result!.poster)).toBe(true);
  });

  it("gives a source smaller than the lowest rung one rendition at its own size", async () => {
    const { last } = await run(await makeClip(dir, "tiny", { width: 160, height: 120, seconds: 2, audio: true }));
    expect(rungSummary(last)).toEqual(["120p:160x120"]);
  });
});

describe("refusals", () => {
  async function refusal(file: string) {
    const { job, events, last } = await run(file);
    expect(events.map((e) => e.event)).toEqual(["started", ...events.slice(1, -1).map(() => "progress"), "failed"]);
    expect(await bucket.list(`videos/${job.videoId}/`)).toEqual([]);
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    const status = (await (await transcoder.fetch(`/jobs/${job.videoId}`)).json()) as { state: string };
    expect(status.state).toBe("failed");
    return last.failure;
  }

  it("refuses a file that is not media", async () => {
    expect(await refusal(await makeTextFile(dir, "not-media"))).toEqual({
      code: "not_media",
      reason: "This file is not a video or audio file we can read",
    });
  });

  it("refuses audio without video", async () => {
    expect(await refusal(await makeAudioOnly(dir, "audio-only", 2))).toEqual({
      code: "no_video",
      reason: "The file has no video stream",
    });
  });

  it("refuses an MP4 truncated before its moov atom as corrupt", async () => {
    const whole = await makeClip(dir, "to-cut", { width: 320, height: 240, seconds: 3, audio: true });
    expect(await refusal(await truncateCopy(whole, path.join(dir, "cut.mp4"), 0.5))).toEqual({
      code: "corrupt",
      reason: "The file is damaged or truncated",
    });
  });

  it("fails as corrupt when a truncated file probes fine but decodes only partly", async () => {
    const whole = await makeClip(dir, "faststart", { width: 320, height: 240, seconds: 8, audio: true, faststart: true });
    const cut = await truncateCopy(whole, path.join(dir, "faststart-cut.mp4"), 0.4);
    const { job, last } = await run(cut);
    expect(last.failure).toEqual({ code: "corrupt", reason: "The file is damaged or truncated" });
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    expect(recorder.for(job.jobId).some((e) => e.event === "ready")).toBe(false);
  });

  it("refuses videos over the duration limit", async () => {
    const file = path.join(dir, "long.mp4");
    await ffmpeg(["-f", "lavfi", "-i", "color=c=blue:size=64x64:rate=5:duration=31", "-c:v", "libx264", "-preset", "ultrafast", file]);
    expect(await refusal(file)).toEqual({ code: "too_long", reason: "The video is longer than the 30 s limit" });
  });

  it("refuses pictures above 8192 px on a side", async () => {
    const failure = await refusal(await makeHugeClip(dir, "huge"));
    expect(failure?.code).toBe("too_large");
  });
});
