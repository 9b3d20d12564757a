// Faults on the real local stack: Postgres and storage taken away mid-run and given back, a
// crash between "upload complete" and "enqueue", and a video deleted while its tasks run.
// Nothing a creator gave us is lost, and nothing of a deleted video survives.
import { CompleteMultipartUploadCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { freePort } from "../../scripts/stack/ports.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator, uploadFile, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { DELETIONS_PREFIX, MARKER_METADATA, deletionKey, mediaKeys } from "../../contract/media-layout.ts";
import { localS3 } from "../support/s3-client.ts";
import { slowPost as slowPostOnce } from "../support/slow-post.ts";
import { startTcpProxy, type CuttableProxy } from "../support/tcp-proxy.ts";
import { signCallback } from "../../transcode-container/src/callback-signature.ts";

type Video = { id: string; status: string; playable: boolean; failureReason: string | null };

let stack: Stack;
let dir: string;
let dbProxy: CuttableProxy;
let storageProxy: CuttableProxy;
let db: pg.Client;
let creator: Session;
let clip: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-faults-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const realUrl = new URL(await recreateDatabase(server, "edge_video_test_faults"));
  dbProxy = await startTcpProxy({ host: "127.0.0.1", port: Number(realUrl.port || 5432) });
  const proxiedUrl = new URL(realUrl);
  proxiedUrl.port = String(dbProxy.port);
  const port = await freePort();
  storageProxy = await startTcpProxy({ host: "127.0.0.1", port });
  stack = await startStack({
    stateDir: path.join(dir, "state"),
    port,
    databaseUrl: proxiedUrl.toString(),
    build: false,
    sweepIntervalMs: 0,
    vars: { S3_ENDPOINT: `http://127.0.0.1:${storageProxy.port}/cdn-cgi/local/r2/s3` },
  });
  db = new pg.Client({ connectionString: realUrl.toString() });
  await db.connect();
  creator = await signUpCreator(stack.origin, "Fault creator");
  clip = new Uint8Array(await readFile(await makeClip(path.join(dir, "clip.mp4"), { seconds: 4, width: 640, height: 360 })));
});

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await dbProxy?.stop();
  await storageProxy?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("faults", () => {
  it("Postgres stopped: 503 problem+json, nothing half-written, recovers by itself", async () => {
    expect((await api(stack.origin, "/api/health")).status).toBe(200);
    await dbProxy.cut();
    const health = await api<{ status: number }>(stack.origin, "/api/health");
    expect(health.status).toBe(503);
    expect(health.headers.get("content-type")).toMatch(/problem\+json/);
    const email = `outage-${crypto.randomUUID()}@example.com`;
    const signup = await api(stack.origin, "/api/auth/signup", {
      method: "POST",
      headers: { "cf-connecting-ip": "203.0.113.7" },
      body: JSON.stringify({ email, password: "correct horse battery staple", role: "creator", displayName: "Outage" }),
    });
    expect(signup.status).toBe(503);
    expect(signup.headers.get("content-type")).toMatch(/problem\+json/);
    const create = await api(stack.origin, "/api/videos", {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ title: "during outage", visibility: "public", filename: "a.mp4", size: 1000, contentType: "video/mp4" }),
    });
    expect(create.status).toBe(503);

    await dbProxy.restore();
    expect((await api(stack.origin, "/api/health")).status).toBe(200);
    // The refused sign-up left nothing behind: the same email signs up cleanly now.
    const { rows } = await db.query("select count(*)::int as n from users where lower(email) = lower($1)", [email]);
    expect(rows[0].n).toBe(0);
    const again = await api(stack.origin, "/api/auth/signup", {
      method: "POST",
      headers: { "cf-connecting-ip": "203.0.113.8" },
      body: JSON.stringify({ email, password: "correct horse battery staple", role: "creator", displayName: "Outage" }),
    });
    expect(again.status).toBe(201);
    const videos = await db.query("select count(*)::int as n from videos where title = 'during outage'");
    expect(videos.rows[0].n).toBe(0);
  });

  it("storage down at upload complete: a clear error, the upload is kept, and retrying works", async () => {
    const { videoId, etags } = await uploadFile(creator, clip, { title: "storage outage" });
    await storageProxy.cut();
    const failed = await api<{ detail: string }>(stack.origin, `/api/videos/${videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts: etags }),
    });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBeTruthy();
    expect(failed.body.detail).toMatch(/storage/i);
    const meta = await api<Video>(stack.origin, `/api/videos/${videoId}`, { token: creator.token });
    expect(meta.body.status).toBe("uploading");

    await storageProxy.restore();
    const retried = await api<Video>(stack.origin, `/api/videos/${videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts: etags }),
    });
    expect(retried.status).toBe(202);
    await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready");
  });

  it("a crash between upload-complete and enqueue: the sweep re-enqueues and the video finishes", async () => {
    const { videoId, upload, etags } = await uploadFile(creator, clip, { title: "lost message" });
    // What the Worker had done before dying: storage completed, row marked queued, no message sent.
    await localS3(stack.s3).send(
      new CompleteMultipartUploadCommand({
        Bucket: stack.s3.bucket,
        Key: `uploads/${videoId}/source`,
        UploadId: upload.uploadId,
        MultipartUpload: { Parts: etags.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
    await db.query("update videos set status = 'queued', queued_at = now() - interval '10 minutes' where id = $1", [videoId]);
    await stack.runSweeps();
    const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready");
    expect(ready.playable).toBe(true);
  });

  it("an upload abandoned for a day is aborted in storage and its row removed by the sweep", async () => {
    const { videoId, upload } = await uploadFile(creator, clip, { title: "abandoned", stopAfterParts: 0 });
    await db.query("update videos set created_at = now() - interval '25 hours' where id = $1", [videoId]);
    await stack.runSweeps();
    for (let i = 0; i < 50; i++) {
      const { rows } = await db.query("select count(*)::int as n from videos where id = $1", [videoId]);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await api(stack.origin, `/api/videos/${videoId}`, { token: creator.token })).status).toBe(404);
    // The multipart upload no longer exists: its part URLs stop working.
    const late = await fetch(upload.parts[0]!.url, { method: "PUT", body: "a late part" });
    expect(late.ok).toBe(false);
  });

  it("a bad ETag at complete is a clear 422 and a correct retry works", async () => {
    const { videoId, etags } = await uploadFile(creator, clip, { title: "bad etag" });
    const wrong = await api<{ detail: string }>(stack.origin, `/api/videos/${videoId}/upload/complete`, {
      method: "POST",
      token: creator.token,
      body: JSON.stringify({ parts: etags.map((p) => ({ ...p, etag: '"0000"' })) }),
    });
    expect(wrong.status).toBe(422);
    const right = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    expect(right.status).toBe(202);
  });
  it("deleted while a task runs: the task is stopped, late writes are never served, and after the fence nothing remains under the prefix", async () => {
    const long = new Uint8Array(await readFile(await makeClip(path.join(dir, "long.mp4"), { seconds: 24, width: 640, height: 360 })));
    const { videoId, etags } = await uploadFile(creator, long, { title: "deleted mid-transcode" });
    const complete = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    expect(complete.status).toBe(202);
    const running = async () => (await db.query("select count(*)::int as n from transcode_tasks where video_id = $1 and state = 'running'", [videoId])).rows[0].n as number;
    for (let i = 0; i < 600 && (await running()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await running()).toBeGreaterThan(0);

    expect((await api(stack.origin, `/api/videos/${videoId}`, { method: "DELETE", token: creator.token })).status).toBe(204);
    // Every transcoder lets go of the video's tasks (410 on their next heartbeat).
    const busy = async () => (await Promise.all(stack.fleet.urls.map(async (u) => ((await (await fetch(`${u}/health`)).json()) as { running: number }).running))).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 300 && (await busy()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await busy()).toBe(0);

    const s3 = localS3(stack.s3);
    const keys = mediaKeys(videoId);
    const listed = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
    // A write that lands after the deletion (a task that could not hear the 410) is not served.
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: keys.segment("360p", 99), Body: "late", ContentType: "video/iso.segment" }));
    expect((await fetch(`${stack.origin}/media/${keys.segment("360p", 99)}`)).status).toBe(404);
    expect(await listed(DELETIONS_PREFIX)).toContain(deletionKey(videoId));

    // Past the horizon (the tombstone's time moved back instead of waiting 76 s), one sweep
    // leaves nothing under the prefix and drops the tombstone.
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: deletionKey(videoId), Body: "", Metadata: { [MARKER_METADATA.purgeAfter]: new Date(Date.now() - 1000).toISOString() } }));
    await stack.runSweeps();
    for (let i = 0; i < 100 && (await listed(keys.prefix)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await listed(keys.prefix)).toEqual([]);
    expect(await listed(DELETIONS_PREFIX)).not.toContain(deletionKey(videoId));
    expect(await listed(`uploads/${videoId}/`)).toEqual([]);
  });
  it("a streamed 8 MiB body is refused before it is sent: callback unsigned 401, signed 413, declared length 413 (through wrangler dev)", async () => {
    const callback = "/api/internal/transcode/callback";
    // An early answer can be lost on its way to the client: the local server closes the
    // connection while the refused body still streams in, and the reset that follows can
    // overtake the answer (the lingering-close problem; wrangler dev's server does not linger).
    // Seen: 2 of 40 declared-length attempts reset, and once in CI a close with no answer
    // (2026-12-02). Such an attempt proves nothing either way and is made again, up to five
    // times; every attempt that answers must answer as asserted below.
    const lost = (statusLine: string) => statusLine === "closed without an answer" || statusLine.includes("ECONNRESET");
    const slowPost = async (...args: Parameters<typeof slowPostOnce>) => {
      let result = await slowPostOnce(...args);
      for (let attempt = 1; attempt < 5 && lost(result.statusLine); attempt++) result = await slowPostOnce(...args);
      return result;
    };
    const unsigned = await slowPost(stack.origin, callback, {});
    expect(unsigned.statusLine).toMatch(/^HTTP\/1\.1 401/);
    const signed = await slowPost(stack.origin, callback, { "x-transcoder-signature": await signCallback(stack.vars.CALLBACK_SECRET!, "{}") });
    expect(signed.statusLine).toMatch(/^HTTP\/1\.1 413/);
    // Measured: 0–192 KiB (401), 128–256 KiB (413) and 64 KiB (declared 413) of 8 MiB sent when
    // the answer began; before, the 401 and the declared 413 came after all 8 MiB (1.3–1.7 s).
    // Any JSON route refusing a declared length over the limit answers before the body, too.
    const declared = await slowPost(stack.origin, "/api/auth/login", {}, { declared: true });
    expect(declared.statusLine).toMatch(/^HTTP\/1\.1 413/);
    for (const r of [unsigned, signed, declared]) expect(r.bytesSent, JSON.stringify(r)).toBeLessThan(1024 * 1024);
  });
});
