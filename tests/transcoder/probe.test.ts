// ffprobe on real generated files, read the way production reads them: a presigned GET on the
// (local) R2 S3 API.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { probeSource } from "../../transcode-container/src/probe.ts";
import {
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

let dir: string;
let bucket: TestBucket;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "probe-test-"));
  bucket = new TestBucket(inject("r2"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function probeFile(file: string, maxDurationSeconds = 21600) {
  const key = `uploads/${randomUUID()}/source`;
  await bucket.uploadFile(key, file);
  return probeSource({
    ffprobePath: "ffprobe",
    url: await bucket.presignGet(key),
    maxDurationSeconds,
    signal: new AbortController().signal,
  });
}

async function failureOf(file: string, maxDurationSeconds?: number): Promise<{ code: string; reason: string }> {
  try {
    await probeFile(file, maxDurationSeconds);
  } catch (error) {
    if (error instanceof JobFailure) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error("probe unexpectedly succeeded");
}

describe("probe", () => {
  it("reads size, duration, frame rate and audio of a landscape clip", async () => {
    const probe = await probeFile(await makeClip(dir, "land", { width: 640, height: 360, seconds: 2, audio: true }));
    expect(probe).toMatchObject({ width: 640, height: 360, hasAudio: true, rotation: 0 });
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    expect(probe.frameRate).toEqual({ num: 30, den: 1 });
  });

  it("reports displayed size for rotated video and no audio when there is none", async () => {
    const plain = await makeClip(dir, "plain", { width: 640, height: 360, seconds: 1 });
    const probe = await probeFile(await makeRotatedClip(dir, "rot", plain, 90));
    expect(probe).toMatchObject({ width: 360, height: 640, codedWidth: 640, codedHeight: 360, hasAudio: false });
    expect([90, 270]).toContain(probe.rotation);
  });

  it("reads a variable frame rate clip", async () => {
    const probe = await probeFile(await makeVfrClip(dir, "vfr"));
    expect(probe.frameRate).not.toBeNull();
    expect(probe.durationSeconds).toBeGreaterThan(3.5);
  });

  it("notices interlaced video", async () => {
    expect((await probeFile(await makeInterlacedClip(dir, "interlaced"))).interlaced).toBe(true);
    expect((await probeFile(await makeClip(dir, "progressive", { width: 320, height: 240, seconds: 1 }))).interlaced).toBe(false);
  });

  it("refuses a file that is not media", async () => {
    expect(await failureOf(await makeTextFile(dir, "text"))).toEqual({
      code: "not_media",
      reason: "This file is not a video or audio file we can read",
    });
  });

  it("refuses audio without video", async () => {
    expect(await failureOf(await makeAudioOnly(dir, "audio", 1))).toEqual({
      code: "no_video",
      reason: "The file has no video stream",
    });
  });

  it("calls an MP4 cut off before its moov atom corrupt", async () => {
    const whole = await makeClip(dir, "whole", { width: 320, height: 240, seconds: 2, audio: true });
    const cut = await truncateCopy(whole, path.join(dir, "cut.mp4"), 0.6);
    expect(await failureOf(cut)).toEqual({ code: "corrupt", reason: "The file is damaged or truncated" });
  });

  it("refuses pictures above the size limit", async () => {
    expect((await failureOf(await makeHugeClip(dir, "huge"))).code).toBe("too_large");
  });

  it("refuses videos over the duration limit, saying what the limit is", async () => {
    const clip = await makeClip(dir, "long", { width: 64, height: 64, seconds: 3 });
    expect(await failureOf(clip, 2)).toEqual({ code: "too_long", reason: "The video is longer than the 2 s limit" });
    expect((await probeFile(clip, 21600)).durationSeconds).toBeCloseTo(3, 1);
  });

  it("says when the source cannot be downloaded", async () => {
    const url = await bucket.presignGet(`uploads/${randomUUID()}/missing`);
    const error = await probeSource({
      ffprobePath: "ffprobe",
      url,
      maxDurationSeconds: 100,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as JobFailure).code).toBe("source_unavailable");
  });
});
