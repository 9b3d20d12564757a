// The HTTP contract and job lifecycle: validation, duplicates, cancel, replacement, re-runs and
// a crash in the middle of a job followed by a restart.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listJobDirs } from "../../transcode-container/src/work-dir.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { childProcesses, prepareJob, readPublished, sleep } from "./helpers/harness.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

let dir: string;
let bucket: TestBucket;
let recorder: CallbackRecorder;
let transcoder: TranscoderProcess;
/** 12 s of 720p: long enough that a job is still encoding when we interfere. */
let longClip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "transcode-lifecycle-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  transcoder = await TranscoderProcess.start(inject("r2"));
  longClip = await makeClip(dir, "long", { width: 1280, height: 720, seconds: 12, audio: true });
});

afterAll(async () => {
  await transcoder?.stop();
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = await response.json();
  expect(body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  return body as { errors?: { path: string; message: string }[] };
}

describe("HTTP contract", () => {
  it("reports health with the FFmpeg version and running jobs", async () => {
    const response = await transcoder.fetch("/health");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ ok: true, ffmpeg: expect.stringMatching(/^\d+\.\d+/), running: 0 });
  });

  it("rejects invalid job bodies with problem+json listing each error", async () => {
    const job = await prepareJob(bucket, recorder, longClip);
    const invalid = await expectProblem(
      await transcoder.postJob({
        ...job.body,
        jobId: "not-a-uuid",
        attempt: 0,
        source: { url: "file:///etc/passwd" },
        output: { prefix: "videos/someone-else/" },
      }),
      400,
    );
    expect(invalid.errors?.map((e) => e.path).sort()).toEqual(["attempt", "jobId", "output.prefix", "source.url"]);
    for (const error of invalid.errors ?? []) expect(error.message).toEqual(expect.any(String));
    const missing = await expectProblem(await transcoder.postJob({ videoId: job.videoId }), 400);
    expect(missing.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(["jobId", "attempt", "source", "callback"]));
    await expectProblem(await transcoder.postJob("{not json"), 400);
    await expectProblem(await transcoder.postJob(JSON.stringify({ pad: "x".repeat(70 * 1024) })), 413);
    await expectProblem(await transcoder.fetch("/nope"), 404);
    await expectProblem(await transcoder.fetch("/jobs", { method: "GET" }), 404);
    await expectProblem(await transcoder.fetch(`/jobs/${job.videoId}`), 404);
    await expectProblem(await transcoder.fetch("/jobs/not-a-uuid"), 404);
    expect(recorder.for(job.jobId)).toEqual([]);
  });
});

describe("job lifecycle", () => {
  it("treats a repeated POST of the running job as a duplicate, not a second run", async () => {
    const job = await prepareJob(bucket, recorder, await makeClip(dir, "dup", { width: 320, height: 240, seconds: 3 }));
    const first = await transcoder.postJob(job.body);
    const second = await transcoder.postJob(job.body);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual({ accepted: true, jobId: job.jobId, duplicate: true });
    await recorder.terminal(job.jobId);
    await sleep(300);
    const events = recorder.for(job.jobId).map((e) => e.event);
    expect(events.filter((e) => e === "started")).toHaveLength(1);
    expect(events.filter((e) => e === "ready")).toHaveLength(1);
  });

  it("cancels a running job on DELETE: FFmpeg killed, no more callbacks, temp folder gone", async () => {
    const job = await prepareJob(bucket, recorder, longClip);
    expect((await transcoder.postJob(job.body)).status).toBe(202);
    await recorder.waitFor((p) => p.jobId === job.jobId && p.event === "playable");
    expect(((await (await transcoder.fetch("/health")).json()) as { running: number }).running).toBe(1);
    expect((await childProcesses(transcoder.child.pid!)).some((p) => p.includes("ffmpeg"))).toBe(true);

    const response = await transcoder.fetch(`/jobs/${job.videoId}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    const seen = recorder.for(job.jobId).length;
    expect(await (await transcoder.fetch(`/jobs/${job.videoId}`)).json()).toMatchObject({ state: "cancelled" });
    expect(await childProcesses(transcoder.child.pid!)).toEqual([]);
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    await sleep(1500);
    expect(recorder.for(job.jobId)).toHaveLength(seen);
    expect(recorder.for(job.jobId).some((e) => e.event === "ready" || e.event === "failed")).toBe(false);
    expect(((await (await transcoder.fetch("/health")).json()) as { running: number }).running).toBe(0);
    // Deleting again (or a video that never ran) is fine.
    expect((await transcoder.fetch(`/jobs/${job.videoId}`, { method: "DELETE" })).status).toBe(204);
  });

  it("stops a job whose callback the Worker answers with 410 Gone (superseded attempt)", async () => {
    const job = await prepareJob(bucket, recorder, longClip);
    expect((await transcoder.postJob(job.body)).status).toBe(202);
    await recorder.waitFor((p) => p.jobId === job.jobId && p.event === "playable");
    recorder.gone.add(job.jobId);
    const deadline = Date.now() + 15_000;
    let state = "running";
    while (state === "running" && Date.now() < deadline) {
      await sleep(200);
      state = ((await (await transcoder.fetch(`/jobs/${job.videoId}`)).json()) as { state: string }).state;
    }
    expect(state).toBe("cancelled");
    await sleep(500);
    expect(await childProcesses(transcoder.child.pid!)).toEqual([]);
    expect(await listJobDirs(transcoder.workDir)).toEqual([]);
    expect(recorder.for(job.jobId).some((e) => e.event === "ready" || e.event === "failed")).toBe(false);
  });

  it("replaces a running job with a newer one for the same video, then re-runs idempotently", async () => {
    const first = await prepareJob(bucket, recorder, longClip);
    expect((await transcoder.postJob(first.body)).status).toBe(202);
    await recorder.waitFor((p) => p.jobId === first.jobId && p.event === "playable");

    const secondJobId = crypto.randomUUID();
    const second = { ...first.body, jobId: secondJobId };
    const response = await transcoder.postJob(second);
    expect(await response.json()).toEqual({ accepted: true, jobId: secondJobId });
    const ready = await recorder.terminal(secondJobId);
    expect(ready.payload.event).toBe("ready");
    expect(recorder.for(first.jobId).some((e) => e.event === "ready" || e.event === "failed")).toBe(false);
    const published = await readPublished(bucket, first.videoId);
    expect(published.missing).toEqual([]);
    expect(published.orphans).toEqual([]);

    // Redelivery after success: same keys, one consistent result.
    const rerun = { ...second, attempt: 2 };
    expect(await (await transcoder.postJob(rerun)).json()).toEqual({ accepted: true, jobId: secondJobId });
    const again = await recorder.terminal(secondJobId, 2);
    expect(again.payload.event).toBe("ready");
    const republished = await readPublished(bucket, first.videoId);
    expect(republished.keys).toEqual(published.keys);
    expect(republished.missing).toEqual([]);
    expect(republished.orphans).toEqual([]);
    expect(again.payload.result?.renditions.map((r) => r.name)).toEqual(ready.payload.result?.renditions.map((r) => r.name));
  });

  it("finishes a job killed mid-way once it is sent again to a restarted transcoder", async () => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), "transcoder-crash-"));
    const crashing = await TranscoderProcess.start(inject("r2"), { workDir });
    const job = await prepareJob(bucket, recorder, longClip);
    try {
      expect((await crashing.postJob(job.body)).status).toBe(202);
      await recorder.waitFor((p) => p.jobId === job.jobId && p.event === "playable");
      // Like a lost container: server and FFmpeg die at once, leaving a half-written job folder.
      await crashing.kill();
      expect(await listJobDirs(workDir)).toHaveLength(1);
    } finally {
      await crashing.kill();
    }

    const restarted = await TranscoderProcess.start(inject("r2"), { workDir });
    try {
      expect(await listJobDirs(workDir)).toEqual([]);
      const retry = { ...job.body, attempt: 2 };
      expect((await restarted.postJob(retry)).status).toBe(202);
      const done = await recorder.terminal(job.jobId, 2);
      expect(done.payload.event).toBe("ready");
      expect(recorder.for(job.jobId, 1).some((e) => e.event === "ready" || e.event === "failed")).toBe(false);
      const published = await readPublished(bucket, job.videoId);
      expect(published.missing).toEqual([]);
      expect(published.orphans).toEqual([]);
      for (const playlist of published.playlists.values()) {
        expect(playlist.ended).toBe(true);
        expect(playlist.segments).toHaveLength(5);
      }
      expect(await listJobDirs(workDir)).toEqual([]);
    } finally {
      await restarted.stop();
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
