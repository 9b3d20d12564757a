// The production transcoder image (transcode-container/Dockerfile), built here without a Docker
// engine (scripts/stack/transcoder-image.ts), run against local R2, and sent one real job: the
// Dockerfile's copies, dependencies and FFmpeg build are what is tested, not the local process.
import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/stack/ports.ts";
import { buildTranscoderImage, imageToolsMissing, lastBuild, runTranscoderImage, type RunningImage } from "../../scripts/stack/transcoder-image.ts";
import { verifyCallbackSignature } from "../../transcode-container/src/callback-signature.ts";
import { TASK_PATHS, type TranscodePlan } from "../../transcode-container/src/chunks/task-contract.ts";
import { signedTranscoderInit } from "../../transcode-container/src/request-auth.ts";
import { makeClip } from "../support/clips.ts";
import { localS3 } from "../support/s3-client.ts";

const exec = promisify(execFile);
const CALLBACK_SECRET = "test-callback-secret-0123456789abcdef";

// CI installs buildah, podman and mmdebstrap (.ci/run); elsewhere (macOS, no root) say why not.
const missing = imageToolsMissing();
const runnable = missing.length === 0 || process.env.CI === "true";
if (!runnable) console.warn(`transcoder image tests skipped: ${missing.join(", ")} not installed (apt-get install -y buildah mmdebstrap podman)`);

type LocalR2 = { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string; stop(): Promise<void> };
/** tests/support/local-r2.ts is type-checked with the transcoder suite (tests/transcoder/tsconfig.json); loaded by URL so this project's stricter settings do not take it in. */
async function startLocalR2(): Promise<LocalR2> {
  const module = (await import(new URL("../support/local-r2.ts", import.meta.url).href)) as { startLocalR2(o: { timeoutMs: number }): Promise<LocalR2> };
  return module.startLocalR2({ timeoutMs: 120_000 });
}

type Callback = { jobId: string; event: string; task: unknown; outcome?: unknown; [key: string]: unknown };

/** The Worker's end of the callbacks, in miniature: checks the signature, records the events. */
async function startCallbackReceiver(): Promise<{ url: string; events: Callback[]; problems: string[]; close(): Promise<void> }> {
  const events: Callback[] = [];
  const problems: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["x-transcoder-signature"];
      if (!(await verifyCallbackSignature(CALLBACK_SECRET, Array.isArray(header) ? header[0] : header, raw))) {
        problems.push(`bad signature: ${String(header)}`);
        res.writeHead(401).end();
        return;
      }
      events.push(JSON.parse(raw) as Callback);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/internal/transcoder/callback`,
    events,
    problems,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let dir: string;
let r2: LocalR2;
let s3: S3Client;
let callbacks: Awaited<ReturnType<typeof startCallbackReceiver>>;
let transcoder: RunningImage;

async function getText(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: r2.bucket, Key: key }));
  return out.Body!.transformToString();
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: r2.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/**
 * The one place that knows the transcoder's job API: uploads `clip` as a source, has the
 * transcoder at `url` turn it into HLS, and returns the R2 prefix of the output once the
 * transcoder reports it done. (Today: `POST /jobs`, then its signed callbacks until `ready`.)
 */
/** The Worker's part, done by hand: probe, then every task of the plan, one after another (the image has one slot). */
async function transcodeClip(url: string, clip: string): Promise<{ prefix: string; plan: TranscodePlan }> {
  const videoId = randomUUID();
  const jobId = randomUUID();
  const sourceKey = `uploads/${videoId}/source`;
  await s3.send(new PutObjectCommand({ Bucket: r2.bucket, Key: sourceKey, Body: await readFile(clip), ContentType: "video/mp4" }));
  const source = { url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: r2.bucket, Key: sourceKey }), { expiresIn: 3600 }) };
  const post = async (route: string, body: unknown, status: number) => {
    const text = JSON.stringify(body);
    const response = await fetch(`${url}${route}`, await signedTranscoderInit(CALLBACK_SECRET, "POST", route, text));
    expect(response.status, route).toBe(status);
    return JSON.parse(await response.text()) as { ok: boolean; plan?: TranscodePlan; failure?: unknown };
  };
  const probe = await post(TASK_PATHS.probe, { videoId, source }, 200);
  expect(probe.ok, JSON.stringify(probe)).toBe(true);
  const plan = probe.plan!;
  const callback = { url: callbacks.url };
  const tasks: [string, string, unknown][] = [
    ...plan.audioChunks.map((audio): [string, string, unknown] => [TASK_PATHS.audio, `audio:${audio.index}`, { videoId, jobId, source, callback, audio }]),
    [TASK_PATHS.stills, "stills:0", { videoId, jobId, source, callback, durationSeconds: plan.durationSeconds, deinterlace: plan.ladder.deinterlace, images: plan.images }],
    ...plan.chunks.map((chunk): [string, string, unknown] => [
      TASK_PATHS.chunk,
      `chunk:${chunk.index}`,
      { videoId, jobId, source, callback, ladder: plan.ladder, firstFrameIndex: plan.firstFrameIndex, storyboard: plan.images.storyboard, chunk },
    ]),
  ];
  // One slot: each task is taken (202), then its outcome arrives as a signed callback.
  for (const [route, name, body] of tasks) {
    expect(await post(route, body, 202)).toMatchObject({ accepted: true });
    const deadline = Date.now() + 240_000;
    let done: Callback | undefined;
    while (!(done = callbacks.events.find((e) => e.event === "done" && `${(e.task as { kind: string }).kind}:${(e.task as { index: number }).index}` === name))) {
      if (Date.now() > deadline) throw new Error(`no outcome for ${name}\n${transcoder.logs.slice(-20).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(done.outcome, name).toMatchObject({ ok: true });
  }
  expect(callbacks.events.filter((e) => e.event === "done")).toHaveLength(tasks.length);
  expect(callbacks.problems).toEqual([]);
  return { prefix: `videos/${videoId}/`, plan };
}

describe.skipIf(!runnable)("transcoder image (transcode-container/Dockerfile)", () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "transcoder-image-"));
    // Cold: Debian base (mmdebstrap) + node base + image, a minute or more on a busy 2-core
    // machine; afterwards only the context is hashed.
    const tag = await buildTranscoderImage();
    console.log(`image ${tag}: ${JSON.stringify(lastBuild)}`);
    r2 = await startLocalR2();
    s3 = localS3(r2);
    callbacks = await startCallbackReceiver();
    transcoder = await runTranscoderImage(
      tag,
      {
        S3_ENDPOINT: r2.endpoint,
        S3_BUCKET: r2.bucket,
        S3_ACCESS_KEY_ID: r2.accessKeyId,
        S3_SECRET_ACCESS_KEY: r2.secretAccessKey,
        S3_REGION: r2.region,
        CALLBACK_SECRET,
      },
      await freePort(),
      { timeoutMs: 120_000 },
    );
    console.log(`image answered /health ${transcoder.startMs} ms after buildah from`);
  }, 20 * 60_000);

  afterAll(async () => {
    await transcoder?.stop();
    await callbacks?.close();
    await r2?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it("serves /health with Debian bookworm's FFmpeg 5.1, on loopback only", async () => {
    const response = await fetch(`${transcoder.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, ffmpeg: expect.stringMatching(/^5\.1(\.|$|-)/), running: 0 });
    expect(transcoder.logs.join("\n")).toMatch(/"message":"listening".*"host":"127\.0\.0\.1"/);
  });

  it("transcodes a generated clip end to end: the HLS ladder lands in R2", async () => {
    const clip = await makeClip(path.join(dir, "source.mp4"), { width: 640, height: 360, seconds: 4 });
    const { prefix, plan } = await transcodeClip(transcoder.url, clip);

    // Every rung's init and every planned segment, the audio rendition, the stills.
    const keys = await listKeys(prefix);
    for (const rung of plan.ladder.rungs) {
      expect(keys).toContain(`${prefix}${rung.name}/init.mp4`);
      const segments = plan.chunks.reduce((n, c) => n + c.segmentCount, 0);
      for (let n = 1; n <= segments; n += 1) expect(keys).toContain(`${prefix}${rung.name}/seg_${String(n).padStart(5, "0")}.m4s`);
    }
    expect(keys).toEqual(expect.arrayContaining([`${prefix}audio/init.mp4`, `${prefix}audio/seg_00001.m4s`]));
    expect(keys).toContain(`${prefix}poster.jpg`);
    // What the image's FFmpeg wrote is real H.264.
    const bytes = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: r2.bucket, Key: key }))).Body!.transformToByteArray();
    const rung = plan.ladder.rungs[0]!.name;
    const sample = path.join(dir, "sample.mp4");
    await writeFile(sample, Buffer.concat([await bytes(`${prefix}${rung}/init.mp4`), await bytes(`${prefix}${rung}/seg_00001.m4s`)]));
    const { stdout } = await exec("ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", sample]);
    expect((JSON.parse(stdout) as { streams: { codec_name: string }[] }).streams.map((s) => s.codec_name)).toContain("h264");
  }, 300_000);

  it("stops cleanly: no process of the run left, container removed", async () => {
    const container = transcoder.container;
    await transcoder.stop();
    expect(transcoder.processes()).toEqual([]);
    expect(transcoder.logs.join("\n")).toContain('"message":"shutting down"');
    const containers = spawnSync("buildah", ["containers", "--format", "{{.ContainerID}} {{.ContainerName}}"], { encoding: "utf8" }).stdout;
    expect(containers.split(/\s+/)).not.toContain(container);
    await expect(fetch(`${transcoder.url}/health`)).rejects.toThrow();
  }, 60_000);
});
