// The task API's HTTP contract and lifecycle: health, validation, one task per slot with 503
// as back-pressure, a task that runs on whatever its caller does, a task the Worker no longer
// wants or a stopping transcoder (FFmpeg killed, temp folder removed, nothing reported), and a
// chunk re-run after its transcoder died mid-chunk (same keys, consistent result).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { sourceKey } from "../../contract/media-layout.ts";
import { TASK_PATHS, type ChunkTask, type TaskCallback, type TaskOutcome } from "../../transcode-container/src/chunks/task-contract.ts";
import { listJobDirs } from "../../transcode-container/src/work-dir.ts";
import { decodeFile } from "../support/hls-check.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { postTask, transcodeChunked, type ChunkedRun } from "./helpers/chunked.ts";
import { childProcesses, readPublished, readStoredRendition, sleep } from "./helpers/harness.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { TranscoderProcess, CALLBACK_SECRET } from "./helpers/transcoder-process.ts";

let dir: string;
let bucket: TestBucket;
let recorder: CallbackRecorder;
let transcoders: TranscoderProcess[] = [];
/** 12 s of 720p transcoded once: its longest chunk (4 s or more × 4 rungs) runs long enough to interfere with. */
let done: ChunkedRun;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "transcode-lifecycle-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  transcoders = await Promise.all([TranscoderProcess.start(inject("r2")), TranscoderProcess.start(inject("r2"))]);
  const clip = await makeClip(dir, "long", { width: 1280, height: 720, seconds: 12, audio: true });
  done = await transcodeChunked(transcoders, bucket, recorder, clip);
  if (done.failure) throw new Error(`setup transcode failed: ${JSON.stringify(done.failure)}`);
});

afterAll(async () => {
  await Promise.all(transcoders.map((t) => t.stop()));
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

type Chunk = { name: string; body: ChunkTask; task: TaskCallback["task"] };

function longestChunk(): Chunk {
  const chunks = done.tasks
    .filter((t) => t.path === TASK_PATHS.chunk)
    .map((t) => ({ name: t.name, body: t.body as ChunkTask, task: { kind: t.kind, index: t.index } }));
  const length = (c: Chunk) => c.body.chunk.endFrame - c.body.chunk.startFrame;
  return chunks.reduce((a, b) => (length(b) > length(a) ? b : a));
}

async function health(transcoder: TranscoderProcess): Promise<{ running: number; busy: boolean }> {
  return (await transcoder.fetch("/health")).json() as Promise<{ running: number; busy: boolean }>;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** "done" callbacks of a task received since `since` (the setup run already reported each task once). */
function doneSince(since: number, jobId: string, task: TaskCallback["task"]): TaskOutcome[] {
  return recorder.events
    .filter((e) => e.receivedAt >= since && e.payload.jobId === jobId && e.payload.event === "done")
    .filter((e) => e.payload.task.kind === task.kind && e.payload.task.index === task.index)
    .map((e) => e.payload.outcome!);
}

async function outcomeSince(since: number, jobId: string, task: TaskCallback["task"]): Promise<TaskOutcome> {
  await waitUntil(async () => doneSince(since, jobId, task).length > 0, `${task.kind} ${task.index} reports its outcome`, 60_000);
  return doneSince(since, jobId, task)[0]!;
}

const runsFfmpeg = async (t: TranscoderProcess) => (await childProcesses(t.child.pid!)).some((p) => p.includes("ffmpeg"));

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = await response.json();
  expect(body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  return body as { errors?: { path: string; message: string }[] };
}

describe("HTTP contract", () => {
  it("reports health with the FFmpeg version, running tasks and whether the slot is taken", async () => {
    const response = await transcoders[0]!.fetch("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, ffmpeg: expect.stringMatching(/^\d+\.\d+/), running: 0, busy: false });
  });

  it("rejects invalid task bodies with problem+json listing each error", async () => {
    const base = transcoders[0]!.baseUrl;
    const { body } = longestChunk();
    const invalid = await expectProblem(
      await postTask(base, TASK_PATHS.chunk, {
        ...body,
        jobId: "not-a-uuid",
        source: { url: "file:///etc/passwd" },
        callback: { url: "ftp://worker/callback" },
        chunk: { ...body.chunk, index: -1, segmentCount: 0 },
      }),
      400,
    );
    expect(invalid.errors?.map((e) => e.path).sort()).toEqual(["callback.url", "chunk.index", "chunk.segmentCount", "jobId", "source.url"]);
    for (const error of invalid.errors ?? []) expect(error.message).toEqual(expect.any(String));
    const missing = await expectProblem(await postTask(base, TASK_PATHS.audio, { videoId: body.videoId }), 400);
    expect(missing.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["jobId", "source", "audio", "callback"]));
    const stills = await expectProblem(await postTask(base, TASK_PATHS.stills, { ...body, durationSeconds: -1 }), 400);
    expect(stills.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["durationSeconds", "deinterlace", "images"]));
    const probe = await expectProblem(await postTask(base, TASK_PATHS.probe, { videoId: "x", source: {} }), 400);
    expect(probe.errors?.map((e) => e.path).sort()).toEqual(["source.url", "videoId"]);
    await expectProblem(await postTask(base, TASK_PATHS.chunk, "{not json"), 400);
    await expectProblem(await postTask(base, TASK_PATHS.chunk, JSON.stringify({ pad: "x".repeat(70 * 1024) })), 413);
    await expectProblem(await postTask(base, "/jobs", body), 404);
    await expectProblem(await postTask(base, "/nope", {}), 404);
    // Nothing was taken: the slot is free.
    expect(await health(transcoders[0]!)).toMatchObject({ running: 0, busy: false });
  });
});

describe("task lifecycle", () => {
  it("answers 503 with Retry-After while its one slot is taken, and the running task completes", async () => {
    const [transcoder] = transcoders;
    const chunk = longestChunk();
    const since = Date.now();
    const first = await postTask(transcoder!.baseUrl, TASK_PATHS.chunk, chunk.body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: true });
    // Taken at once, long before the outcome.
    expect(Date.now() - since).toBeLessThan(1_500);
    expect(await health(transcoder!)).toMatchObject({ running: 1, busy: true });
    for (const task of done.tasks.filter((t) => t.name !== chunk.name).slice(0, 2)) {
      const second = await postTask(transcoder!.baseUrl, task.path, task.body);
      expect(second.status, task.name).toBe(503);
      expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await second.json()).toEqual({ busy: true });
    }
    const outcome = await outcomeSince(since, done.jobId, chunk.task);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.keys.length).toBeGreaterThan(0);
    expect(await health(transcoder!)).toMatchObject({ running: 0, busy: false });
    expect(await listJobDirs(transcoder!.workDir)).toEqual([]);
  });

  it("runs a task to its end whatever its caller does after the 202", async () => {
    const [transcoder] = transcoders;
    const chunk = longestChunk();
    const since = Date.now();
    const controller = new AbortController();
    const response = await postTask(transcoder!.baseUrl, TASK_PATHS.chunk, chunk.body, controller.signal);
    expect(response.status).toBe(202);
    controller.abort();
    expect((await outcomeSince(since, done.jobId, chunk.task)).ok).toBe(true);
    expect(await listJobDirs(transcoder!.workDir)).toEqual([]);
  });

  it("stops a task the Worker no longer wants (410 to its callback): FFmpeg killed, temp folder removed, nothing reported", async () => {
    // Ten minutes of sound behind a tiny picture, as one audio chunk: still encoding when its
    // first heartbeat (every second here) is answered 410.
    const transcoder = await TranscoderProcess.start(inject("r2"), { env: { HEARTBEAT_SECONDS: "1" } });
    onTestFinished(() => transcoder.stop());
    const file = await makeClip(dir, "ten-minutes", { width: 64, height: 64, seconds: 600, rate: 1, audio: true });
    const videoId = crypto.randomUUID();
    const jobId = crypto.randomUUID();
    await bucket.uploadFile(sourceKey(videoId), file);
    const audio = { index: 1, firstSegment: 3, startSeconds: 8, endSeconds: 600 };
    const body = { videoId, jobId, source: { url: await bucket.presignGet(sourceKey(videoId)) }, callback: { url: recorder.url }, audio };
    recorder.gone.add(jobId);
    const since = Date.now();
    expect((await postTask(transcoder.baseUrl, TASK_PATHS.audio, body)).status).toBe(202);
    await waitUntil(async () => recorder.attempts.has(`${jobId}:audio:1:heartbeat`), "the audio task sends a heartbeat", 10_000);
    await waitUntil(async () => !(await health(transcoder)).busy, "the slot is free", 10_000);
    console.info(`task no longer wanted: stopped ${Date.now() - since} ms after it was posted`);
    expect(await childProcesses(transcoder.child.pid!)).toEqual([]);
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    // Stopped part-way: nothing was uploaded and no outcome was sent.
    expect(await bucket.list(`videos/${videoId}/audio/`)).toEqual([]);
    await sleep(1_000);
    expect(recorder.attempts.has(`${jobId}:audio:1:done`)).toBe(false);
  });

  it("aborts its running task when stopped (SIGTERM): FFmpeg killed, temp folder removed before it exits", async () => {
    const chunk = longestChunk();
    const workDir = await mkdtemp(path.join(os.tmpdir(), "transcoder-stop-"));
    const stopping = await TranscoderProcess.start(inject("r2"), { workDir });
    try {
      const since = Date.now();
      expect((await postTask(stopping.baseUrl, TASK_PATHS.chunk, chunk.body)).status).toBe(202);
      await waitUntil(() => runsFfmpeg(stopping), "FFmpeg runs");
      expect(await listJobDirs(workDir)).toHaveLength(1);
      await stopping.stop();
      expect(await listJobDirs(workDir)).toEqual([]);
      // The Worker hears nothing (it hands the task out again once the heartbeats stop).
      await sleep(500);
      expect(doneSince(since, done.jobId, chunk.task)).toEqual([]);
    } finally {
      await stopping.kill();
      await rm(workDir, { recursive: true, force: true });
    }
  });

  it("re-runs a chunk after its transcoder was killed mid-chunk: same keys, a consistent result", async () => {
    const chunk = longestChunk();
    const original = done.outcomes.get(chunk.name)!;
    const before = await readPublished(bucket, done.videoId);
    const workDir = await mkdtemp(path.join(os.tmpdir(), "transcoder-crash-"));
    const crashing = await TranscoderProcess.start(inject("r2"), { workDir });
    try {
      expect((await postTask(crashing.baseUrl, TASK_PATHS.chunk, chunk.body)).status).toBe(202);
      await waitUntil(() => runsFfmpeg(crashing), "FFmpeg runs");
      // Like a lost container: server and FFmpeg die at once, leaving a half-written temp folder.
      await crashing.kill();
      expect(await listJobDirs(workDir)).toHaveLength(1);
    } finally {
      await crashing.kill();
    }

    const restarted = await TranscoderProcess.start(inject("r2"), { workDir });
    try {
      expect(await listJobDirs(workDir)).toEqual([]);
      const since = Date.now();
      expect((await postTask(restarted.baseUrl, TASK_PATHS.chunk, chunk.body)).status).toBe(202);
      const again = await outcomeSince(since, done.jobId, chunk.task);
      if (!again.ok || !original.ok) throw new Error(`chunk failed: ${JSON.stringify(again)}`);
      expect([...again.keys].sort()).toEqual([...original.keys].sort());
      const shape = (o: typeof again) => o.renditions.map((r) => ({ name: r.name, codecs: r.codecs, durations: r.segments.map((s) => s.duration) }));
      expect(shape(again)).toEqual(shape(original));
      expect(await listJobDirs(workDir)).toEqual([]);

      // Storage holds the same objects, and the re-written segments still join their neighbours.
      const after = await readPublished(bucket, done.videoId);
      expect(after.keys).toEqual(before.keys);
      expect(after.missing).toEqual([]);
      expect(after.orphans).toEqual([]);
      for (const rung of ["720p", "240p"]) {
        const stored = await readStoredRendition(bucket, done.videoId, rung, dir);
        expect(stored.continuous, rung).toBe(true);
        expect(stored.mediaSeconds).toBeCloseTo(12, 2);
        const decoded = await decodeFile(stored.file);
        expect(decoded.errors, rung).toBe("");
        expect(decoded.frames, rung).toBe(360);
      }
    } finally {
      await restarted.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
