// End to end through two real transcoder processes (a small fleet), FFmpeg and local R2, driven
// the way the Worker drives them (helpers/chunked.ts: probe → audio, stills and chunk tasks →
// playlists and master): what gets published for different kinds of sources, and how bad
// sources are refused.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rationalValue } from "../../transcode-container/src/ladder-profile.ts";
import { listJobDirs } from "../../transcode-container/src/work-dir.ts";
import { decodeFile } from "../support/hls-check.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { transcodeChunked, type ChunkedRun } from "./helpers/chunked.ts";
import { durations, probeStoredRung, readPublished, readStoredRendition, type PublishedVideo } from "./helpers/harness.ts";
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
let transcoders: TranscoderProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "transcode-media-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  // A short duration limit so "too long" needs only a small file.
  const env = { MAX_DURATION_SECONDS: "30" };
  transcoders = await Promise.all([TranscoderProcess.start(inject("r2"), { env }), TranscoderProcess.start(inject("r2"), { env })]);
});

afterAll(async () => {
  await Promise.all(transcoders.map((t) => t.stop()));
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (file: string) => transcodeChunked(transcoders, bucket, recorder, file);

function rungSummary(result: ChunkedRun): string[] {
  return (result.plan?.ladder.rungs ?? []).map((r) => `${r.name}:${r.width}x${r.height}`);
}

async function expectNoTempFolders(): Promise<void> {
  for (const transcoder of transcoders) expect(await listJobDirs(transcoder.workDir)).toEqual([]);
}

/** Every task succeeded and what was published is complete, aligned across rungs and ended. */
async function published(result: ChunkedRun): Promise<PublishedVideo> {
  expect(result.failure).toBeNull();
  for (const [task, outcome] of result.outcomes) expect(outcome.ok, task).toBe(true);
  const video = await readPublished(bucket, result.videoId);
  expect(video.missing).toEqual([]);
  expect(video.orphans).toEqual([]);
  const rungs = result.plan!.ladder.rungs.map((r) => r.name);
  expect(video.master.map((v) => v.uri.split("/")[0]).sort()).toEqual([...rungs].sort());
  const reference = durations(video.playlists.get(rungs[0]!)!);
  for (const rung of rungs) {
    const playlist = video.playlists.get(rung)!;
    expect(playlist.playlistType, rung).toBe("EVENT");
    expect(playlist.ended, rung).toBe(true);
    expect(durations(playlist), rung).toEqual(reference);
  }
  expect(video.audioUri !== null).toBe(result.plan!.hasAudio);
  await expectNoTempFolders();
  return video;
}

/** A rung decoded whole: a continuous timeline, `frames` ±1 and no decoder complaint. */
async function expectDecodes(result: ChunkedRun, rung: string, frames: number): Promise<void> {
  const stored = await readStoredRendition(bucket, result.videoId, rung, dir);
  expect(stored.continuous, `${rung}: fragment decode times follow on`).toBe(true);
  const decoded = await decodeFile(stored.file);
  expect(decoded.errors, rung).toBe("");
  expect(Math.abs(decoded.frames - frames), `${rung}: decoded ${decoded.frames} frames, expected ${frames}`).toBeLessThanOrEqual(1);
}

describe("publishing", () => {
  it("transcodes a landscape clip with audio in chunks across two transcoders into an aligned ladder with an audio group", async () => {
    const file = await makeClip(dir, "landscape", { width: 1280, height: 720, seconds: 12, audio: true });
    // What storage holds when the first audio chunk reports; that first delivery fails and must be retried.
    let atAudioDone: string[] | null = null;
    recorder.hooks.push(async (payload) => {
      if (payload.event === "done" && payload.task.kind === "audio" && payload.task.index === 0) atAudioDone ??= await bucket.list(`videos/${payload.videoId}/audio/`);
    });
    recorder.failures.set("done", 1);
    const started = Date.now();
    const result = await run(file);
    const seconds = (Date.now() - started) / 1000;
    const prefix = `videos/${result.videoId}/`;

    expect(result.plan).toMatchObject({ durationSeconds: 12, width: 1280, height: 720, hasAudio: true, frameCount: 360 });
    // Chunk 0 is the 0.5 s startup segment alone; the 6 segments span several chunks.
    const chunks = result.plan!.chunks;
    expect(chunks[0]).toMatchObject({ segmentCount: 1, endSeconds: 0.5 });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.reduce((sum, c) => sum + c.segmentCount, 0)).toBe(6);
    expect(rungSummary(result)).toEqual(["720p:1280x720", "480p:854x480", "360p:640x360", "240p:426x240"]);
    const video = await published(result);

    // Audio in chunks on the 8 s AAC-frame grid: 0–8 s, then 8–12 s.
    expect(result.plan!.audioChunks).toEqual([
      { index: 0, firstSegment: 1, startSeconds: 0, endSeconds: 8 },
      { index: 1, firstSegment: 3, startSeconds: 8, endSeconds: 12 },
    ]);
    // Every task reported its outcome by signed callback, once each; the first delivery failed
    // and was retried, with the first audio chunk's segments already stored.
    expect(recorder.problems).toEqual([]);
    const callbacks = recorder.for(result.jobId);
    expect(callbacks.filter((e) => e.event === "done")).toHaveLength(result.tasks.length);
    const doneDeliveries = [...recorder.attempts].filter(([key]) => key.startsWith(`${result.jobId}:`) && key.endsWith(":done")).reduce((sum, [, n]) => sum + n, 0);
    expect(doneDeliveries).toBe(result.tasks.length + 1);
    expect(atAudioDone).toEqual(expect.arrayContaining([`${prefix}audio/init.mp4`, `${prefix}audio/seg_00001.m4s`, `${prefix}audio/seg_00002.m4s`]));

    // Master: start rung (480p) first, every attribute, relative URIs, one AUDIO group.
    expect(video.master.map((v) => v.uri)).toEqual(["480p/playlist.m3u8", "720p/playlist.m3u8", "360p/playlist.m3u8", "240p/playlist.m3u8"]);
    for (const variant of video.master) {
      const a = variant.attributes;
      expect(Number(a.BANDWIDTH)).toBeGreaterThanOrEqual(Number(a["AVERAGE-BANDWIDTH"]));
      expect(Number(a["AVERAGE-BANDWIDTH"])).toBeGreaterThan(0);
      expect(a.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      expect(a.RESOLUTION).toMatch(/^\d+x\d+$/);
      expect(a["FRAME-RATE"]).toBe("30.000");
      expect(a.AUDIO).toBe("audio");
    }
    expect(video.masterText).toContain("#EXT-X-VERSION:7");
    expect(video.masterText).toContain("#EXT-X-INDEPENDENT-SEGMENTS");
    expect(video.masterText).toMatch(/#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",.*URI="audio\/playlist\.m3u8"/);
    expect(video.audioUri).toBe("audio/playlist.m3u8");

    // Every rung: identical boundaries (0.5, 0.5, 1 and 2 s startup segments, then 4 s), one timeline
    // across the chunk seams, and a full decode gives the source's frames.
    const reference = durations(video.playlists.get("720p")!);
    expect(reference).toEqual(["0.500", "0.500", "1.000", "2.000", "4.000", "4.000"]);
    expect((await decodeFile(file)).frames).toBe(360);
    for (const rung of ["720p", "480p", "360p", "240p"]) {
      const playlist = video.playlists.get(rung)!;
      expect(playlist.targetDuration).toBe(4);
      expect(playlist.initUri).toBe("init.mp4");
      await expectDecodes(result, rung, 360);
    }
    const audio = video.playlists.get("audio")!;
    expect(audio.ended).toBe(true);
    // Sample-exact across the audio seam at 8 s: one timeline, as long as the video within 50 ms.
    expect(audio.segments.map((s) => s.uri)).toEqual(["seg_00001.m4s", "seg_00002.m4s", "seg_00003.m4s"]);
    expect(Math.abs(audio.segments.reduce((sum, s) => sum + s.duration, 0) - 12)).toBeLessThan(0.05);
    const storedAudio = await readStoredRendition(bucket, result.videoId, "audio", dir);
    expect(storedAudio.continuous, "audio fragment decode times follow on").toBe(true);
    expect((await decodeFile(storedAudio.file)).errors).toBe("");
    const audioStreams = await probeStoredRung(bucket, result.videoId, "audio");
    expect(audioStreams.map((s) => s.codec_name)).toEqual(["aac"]);
    const streams = await probeStoredRung(bucket, result.videoId, "480p");
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ codec_name: "h264", width: 854, height: 480, profile: "High" });

    // Content types as the media route will serve them; stills and the storyboard sheets.
    expect((await bucket.getBytes(`${prefix}master.m3u8`)).contentType).toBe("application/vnd.apple.mpegurl");
    expect((await bucket.getBytes(`${prefix}720p/seg_00004.m4s`)).contentType).toBe("video/iso.segment");
    expect((await bucket.getBytes(`${prefix}720p/init.mp4`)).contentType).toBe("video/mp4");
    expect((await bucket.getBytes(`${prefix}audio/seg_00001.m4s`)).contentType).toBe("video/iso.segment");
    const poster = await bucket.getBytes(`${prefix}poster.jpg`);
    expect(poster.contentType).toBe("image/jpeg");
    expect([...poster.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(video.keys).toEqual(expect.arrayContaining([1, 2, 3, 4].map((i) => `${prefix}thumbs/${i}.jpg`)));
    for (const chunk of chunks.filter((c) => c.tileCount > 0)) {
      expect([...(await bucket.getBytes(`${prefix}storyboard/${chunk.index}.jpg`)).bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    }
    const vtt = await bucket.getBytes(`${prefix}storyboard.vtt`);
    expect(vtt.contentType).toMatch(/^text\/vtt/);
    const cues = new TextDecoder().decode(vtt.bytes);
    expect(cues.startsWith("WEBVTT")).toBe(true);
    expect(cues.match(/-->/g)).toHaveLength(12);
    expect(cues).toContain("00:00:00.000 --> 00:00:01.000\nstoryboard/0.jpg#xywh=0,0,160,90");
    const at4 = chunks.find((c) => c.startSeconds === 4)!;
    expect(cues).toContain(`00:00:04.000 --> 00:00:05.000\nstoryboard/${at4.index}.jpg#xywh=0,0,160,90`);
    console.info(`720p 12 s clip, 2 transcoders: published after ${seconds.toFixed(2)} s`);
  });

  it("transcodes a portrait clip without audio into video-only renditions", async () => {
    const result = await run(await makeClip(dir, "portrait", { width: 360, height: 640, seconds: 3 }));
    expect(rungSummary(result)).toEqual(["360p:360x640", "240p:240x426"]);
    expect(result.plan!.hasAudio).toBe(false);
    expect(result.plan!.chunks.length).toBeGreaterThanOrEqual(2);
    expect([...result.outcomes.keys()].some((task) => task.startsWith("audio"))).toBe(false);
    const video = await published(result);
    expect(video.masterText).not.toContain("#EXT-X-MEDIA");
    for (const variant of video.master) {
      expect(variant.attributes.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
      expect(variant.attributes.AUDIO).toBeUndefined();
    }
    expect(video.keys.some((k) => k.includes("/audio/"))).toBe(false);
    await expectDecodes(result, "240p", 90);
  });

  it("rounds odd sizes to even and keeps the aspect ratio", async () => {
    const result = await run(await makeClip(dir, "odd", { width: 321, height: 241, seconds: 2, audio: true }));
    expect(rungSummary(result)).toEqual(["240p:320x240"]);
    await published(result);
    const streams = await probeStoredRung(bucket, result.videoId, "240p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 320, height: 240 });
  });

  it("honours rotation metadata (displayed size, upright pixels)", async () => {
    const plain = await makeClip(dir, "to-rotate", { width: 640, height: 360, seconds: 2, audio: true });
    const result = await run(await makeRotatedClip(dir, "rotated", plain, 90));
    expect(rungSummary(result)).toEqual(["360p:360x640", "240p:240x426"]);
    await published(result);
    const streams = await probeStoredRung(bucket, result.videoId, "360p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 360, height: 640 });
  });

  it("turns a variable frame rate source into constant frame rate output", async () => {
    const result = await run(await makeVfrClip(dir, "vfr"));
    const video = await published(result);
    expect(result.plan!.durationSeconds).toBeGreaterThan(3.5);
    expect(result.plan!.chunks.length).toBeGreaterThan(1);
    const rate = Number(video.master[0]!.attributes["FRAME-RATE"]);
    const streams = await probeStoredRung(bucket, result.videoId, "240p");
    const [num, den] = streams.find((s) => s.codec_name === "h264")!.r_frame_rate.split("/").map(Number);
    expect(num! / den!).toBeCloseTo(rate, 1);
    // Constant rate: the frame count is the planned one, whatever the source's timestamps.
    await expectDecodes(result, "240p", result.plan!.frameCount);
  });

  it("keeps segments aligned when low rungs run at half the frame rate (59.94 → 29.97)", async () => {
    const result = await run(await makeClip(dir, "ntsc60", { width: 1280, height: 720, seconds: 6, rate: "60000/1001", audio: true }));
    const rates = result.plan!.ladder.rungs.map((r) => [r.name, Math.round(rationalValue(r.frameRate) * 100) / 100]);
    expect(rates).toEqual([["720p", 59.94], ["480p", 29.97], ["360p", 29.97], ["240p", 29.97]]);
    expect(result.plan!.chunks.length).toBeGreaterThanOrEqual(3);
    const video = await published(result);
    const reference = durations(video.playlists.get("720p")!);
    // Boundaries at 0, 0.5, 1, 2, 4 s snapped to the 29.97 grid (15 frames = 0.5005 s), shared by the 59.94 rung.
    expect(reference.slice(0, 3)).toEqual(["0.500", "0.500", "1.001"]);
    expect(reference.reduce((sum, d) => sum + Number(d), 0)).toBeCloseTo(6, 0);
    expect(video.master.find((v) => v.uri.startsWith("720p"))!.attributes["FRAME-RATE"]).toBe("59.940");
    const frames = result.plan!.frameCount;
    await expectDecodes(result, "720p", frames);
    await expectDecodes(result, "480p", Math.ceil(frames / 2));
  });

  it("deinterlaces an interlaced PAL source into progressive renditions", async () => {
    const result = await run(await makeInterlacedClip(dir, "pal", 5));
    expect(rungSummary(result)).toEqual(["480p:600x480", "360p:450x360", "240p:300x240"]);
    expect(result.plan!.ladder.deinterlace).toBe(true);
    expect(result.plan!.chunks.length).toBeGreaterThanOrEqual(3);
    await published(result);
    const streams = await probeStoredRung(bucket, result.videoId, "480p");
    expect(streams.find((s) => s.codec_name === "h264")).toMatchObject({ width: 600, height: 480, field_order: "progressive" });
    await expectDecodes(result, "480p", 125);
  });

  it("handles a clip shorter than the first segment", async () => {
    const result = await run(await makeClip(dir, "blink", { width: 320, height: 240, seconds: 0.4, audio: true }));
    expect(result.plan!.chunks).toHaveLength(1);
    const video = await published(result);
    expect(video.playlists.get("240p")!.segments).toHaveLength(1);
    expect(video.keys.filter((k) => k.includes("/thumbs/")).length).toBeGreaterThan(0);
    expect(await bucket.exists(`videos/${result.videoId}/poster.jpg`)).toBe(true);
    await expectDecodes(result, "240p", 12);
  });

  it("gives a source smaller than the lowest rung one rendition at its own size", async () => {
    const result = await run(await makeClip(dir, "tiny", { width: 160, height: 120, seconds: 2, audio: true }));
    expect(rungSummary(result)).toEqual(["120p:160x120"]);
    await published(result);
  });
});

describe("refusals", () => {
  /** Refused at the probe: nothing planned, nothing written, no temp folder left. */
  async function refusal(file: string) {
    const result = await run(file);
    expect(result.plan).toBeNull();
    expect(result.outcomes.size).toBe(0);
    expect(await bucket.list(`videos/${result.videoId}/`)).toEqual([]);
    await expectNoTempFolders();
    return result.failure;
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
    const result = await run(await truncateCopy(whole, path.join(dir, "faststart-cut.mp4"), 0.4));
    expect(result.plan?.durationSeconds).toBeCloseTo(8, 0);
    expect(result.failure?.code).toBe("corrupt");
    expect(result.failure?.reason).toMatch(/^The file is damaged or truncated/);
    expect(await bucket.exists(`videos/${result.videoId}/master.m3u8`)).toBe(false);
    await expectNoTempFolders();
  });

  it("refuses videos over the duration limit", async () => {
    const file = path.join(dir, "long.mp4");
    await ffmpeg(["-f", "lavfi", "-i", "color=c=blue:size=64x64:rate=5:duration=31", "-c:v", "libx264", "-preset", "ultrafast", file]);
    expect(await refusal(file)).toEqual({ code: "too_long", reason: "The video is longer than the 30 s limit" });
  });

  it("refuses pictures above 8192 px on a side", async () => {
    expect((await refusal(await makeHugeClip(dir, "huge")))?.code).toBe("too_large");
  });
});
