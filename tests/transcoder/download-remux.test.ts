// The download task (issue #15): a real clip goes through the chunked pipeline, then the task
// joins the published top rung and audio rendition into one MP4 without re-encoding. ffprobe
// and a full decode check what a viewer downloads: one video and one audio stream, the source's
// duration (±0.1 s), the index at the front, no decode errors; a redelivered task rewrites the
// same object, and a video without sound gets a video-only MP4. A file over one part goes up in
// parts (the multipart path a long video's MP4 takes).
import { execFile } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mediaKeys } from "../../contract/media-layout.ts";
import { createS3Storage } from "../../transcode-container/src/storage.ts";
import { TASK_PATHS, type DownloadTask, type TaskOutcome } from "../../transcode-container/src/chunks/task-contract.ts";
import { decodeFile } from "../support/hls-check.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { postTask, transcodeChunked, type ChunkedRun } from "./helpers/chunked.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

const exec = promisify(execFile);

let dir: string;
let bucket: TestBucket;
let recorder: CallbackRecorder;
let transcoder: TranscoderProcess;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "download-remux-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  transcoder = await TranscoderProcess.start(inject("r2"));
});

afterAll(async () => {
  await transcoder?.stop();
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

type Probe = { streams: { codec_type: string; codec_name: string; duration?: string }[]; format: { duration: string } };
async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await exec("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name,duration:format=duration", "-of", "json", file]);
  return JSON.parse(stdout) as Probe;
}

/** Posts the download task for a finished run and waits for its outcome. */
async function download(run: ChunkedRun, token: string): Promise<{ outcome: TaskOutcome; body: DownloadTask }> {
  const plan = run.plan!;
  const body: DownloadTask = {
    videoId: run.videoId,
    jobId: run.jobId,
    callback: { url: recorder.url },
    download: { token, rendition: plan.ladder.rungs[0]!.name, hasAudio: plan.hasAudio, durationSeconds: plan.durationSeconds },
  };
  const since = recorder.events.length;
  const response = await postTask(transcoder.baseUrl, TASK_PATHS.download, body);
  expect(response.status).toBe(202);
  await response.body?.cancel();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const done = recorder.events.slice(since).find((e) => e.payload.jobId === run.jobId && e.payload.task.kind === "download" && e.payload.event === "done");
    if (done) return { outcome: done.payload.outcome!, body };
    if (Date.now() > deadline) throw new Error("the download task never reported");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function fetchMp4(key: string, name: string): Promise<{ file: string; bytes: Uint8Array; contentType: string | undefined }> {
  const { bytes, contentType } = await bucket.getBytes(key);
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return { file, bytes, contentType };
}

/** Offset of a top-level box, or -1. */
function boxOffset(bytes: Uint8Array, type: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.byteLength; ) {
    const size = view.getUint32(at);
    if (new TextDecoder().decode(bytes.subarray(at + 4, at + 8)) === type) return at;
    if (size < 8) return -1;
    at += size;
  }
  return -1;
}

describe("download task", () => {
  it("remuxes the top rung and the audio into one MP4 with the source's duration", async () => {
    const clip = await makeClip(dir, "with-sound", { width: 1280, height: 720, seconds: 9, audio: true });
    const run = await transcodeChunked([transcoder], bucket, recorder, clip);
    expect(run.failure).toBeNull();
    const token = randomBytes(16).toString("hex");
    const key = mediaKeys(run.videoId).download(token);

    const { outcome } = await download(run, token);
    expect(outcome).toEqual({ ok: true, renditions: [], keys: [key] });
    const mp4 = await fetchMp4(key, "with-sound.mp4");
    expect(mp4.contentType).toBe("video/mp4");

    const [probe, source] = await Promise.all([ffprobe(mp4.file), ffprobe(clip)]);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(["audio", "video"]);
    expect(probe.streams.find((s) => s.codec_type === "video")!.codec_name).toBe("h264");
    expect(probe.streams.find((s) => s.codec_type === "audio")!.codec_name).toBe("aac");
    expect(Math.abs(Number(probe.format.duration) - Number(source.format.duration))).toBeLessThanOrEqual(0.1);
    for (const stream of probe.streams) expect(Math.abs(Number(stream.duration) - Number(source.format.duration))).toBeLessThanOrEqual(0.1);
    // +faststart: the index comes before the media, so it plays while downloading.
    expect(boxOffset(mp4.bytes, "moov")).toBeGreaterThan(0);
    expect(boxOffset(mp4.bytes, "moov")).toBeLessThan(boxOffset(mp4.bytes, "mdat"));
    const decoded = await decodeFile(mp4.file);
    expect(decoded.errors).toBe("");
    expect(decoded.frames).toBe(9 * 30);

    // A redelivered task writes the same object again, byte for byte.
    const again = await download(run, token);
    expect(again.outcome).toEqual({ ok: true, renditions: [], keys: [key] });
    expect(await readFile(mp4.file)).toEqual(Buffer.from((await bucket.getBytes(key)).bytes));
  });

  it("makes a video-only MP4 for a video without sound, and refuses a bad token", async () => {
    const clip = await makeClip(dir, "silent", { width: 640, height: 360, seconds: 5 });
    const run = await transcodeChunked([transcoder], bucket, recorder, clip);
    expect(run.failure).toBeNull();
    const token = randomBytes(16).toString("hex");
    const { outcome } = await download(run, token);
    expect(outcome.ok).toBe(true);
    const mp4 = await fetchMp4(mediaKeys(run.videoId).download(token), "silent.mp4");
    const [probe, source] = await Promise.all([ffprobe(mp4.file), ffprobe(clip)]);
    expect(probe.streams.map((s) => s.codec_type)).toEqual(["video"]);
    expect(Math.abs(Number(probe.format.duration) - Number(source.format.duration))).toBeLessThanOrEqual(0.1);
    expect((await decodeFile(mp4.file)).errors).toBe("");

    // The key is derived from the token: nothing else can be named as the target.
    const bad = { videoId: run.videoId, jobId: run.jobId, callback: { url: recorder.url }, download: { token: "../../x", rendition: "360p", hasAudio: false, durationSeconds: 5 } };
    const refused = await postTask(transcoder.baseUrl, TASK_PATHS.download, bad);
    expect(refused.status).toBe(400);
    await refused.body?.cancel();
  });
});

describe("storage.putFile", () => {
  it("uploads a file larger than one part in equal parts (what R2 requires), bytes intact", async () => {
    const storage = createS3Storage(inject("r2"));
    const file = path.join(dir, "large.bin");
    // 70 MiB: two full 32 MiB parts and a short last one.
    const handle = await open(file, "w");
    const hash = createHash("sha256");
    for (let i = 0; i < 70; i += 1) {
      const block = randomBytes(1024 * 1024);
      hash.update(block);
      await handle.write(block);
    }
    await handle.close();
    const key = mediaKeys(randomUUID()).download(randomBytes(16).toString("hex"));
    await storage.putFile(key, file, { contentType: "video/mp4" });
    const stored = await bucket.getBytes(key);
    expect(stored.bytes.byteLength).toBe(70 * 1024 * 1024);
    expect(createHash("sha256").update(stored.bytes).digest("hex")).toBe(hash.digest("hex"));
    expect(stored.contentType).toBe("video/mp4");
  });
});
