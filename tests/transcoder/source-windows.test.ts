// The loopback source reader (source-windows.ts) against the real local R2 S3 API: byte-exact
// ranges across window boundaries, errors passed through so FFmpeg reports them, and FFprobe
// reading through it the way every task now does.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { createLogger } from "../../transcode-container/src/log.ts";
import { probeSource } from "../../transcode-container/src/probe.ts";
import { SOURCE_WINDOW_BYTES, SourceWindows } from "../../transcode-container/src/source-windows.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";

let dir: string;
let bucket: TestBucket;
let windows: SourceWindows;
const blob = randomBytes(2 * SOURCE_WINDOW_BYTES + 12_345);
const blobKey = `windows/${randomUUID()}.bin`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "source-windows-"));
  bucket = new TestBucket(inject("r2"));
  await bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: blobKey, Body: blob }));
  windows = await SourceWindows.start(createLogger({}, true));
});

afterAll(async () => {
  await windows.close();
  await rm(dir, { recursive: true, force: true });
});

async function read(url: string, range?: string): Promise<{ status: number; bytes: Buffer; contentRange: string | null }> {
  const res = await fetch(url, { headers: range ? { range } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), contentRange: res.headers.get("content-range") };
}

/** Reads from `from` to the end the way FFmpeg does: each 206 is one window, the next request starts where it ended. */
async function readToEnd(url: string, from = 0): Promise<{ bytes: Buffer; ranges: string[] }> {
  const parts: Buffer[] = [];
  const ranges: string[] = [];
  for (let at = from; ; ) {
    const part = await read(url, `bytes=${at}-`);
    expect(part.status).toBe(206);
    ranges.push(part.contentRange!);
    parts.push(part.bytes);
    at += part.bytes.length;
    if (at >= Number(part.contentRange!.split("/")[1])) return { bytes: Buffer.concat(parts), ranges };
  }
}

describe("source windows", () => {
  it("serves any range byte for byte, one window per request", async () => {
    const source = windows.register(await bucket.presignGet(blobKey));
    try {
      const whole = await readToEnd(source.url);
      expect(whole.bytes.equals(blob)).toBe(true);
      expect(whole.ranges[0]).toBe(`bytes 0-${SOURCE_WINDOW_BYTES - 1}/${blob.length}`);
      const from = SOURCE_WINDOW_BYTES - 3;
      const tail = await readToEnd(source.url, from);
      expect(tail.ranges[0]).toBe(`bytes ${from}-${from + SOURCE_WINDOW_BYTES - 1}/${blob.length}`);
      expect(tail.ranges.at(-1)).toMatch(new RegExp(`-${blob.length - 1}/${blob.length}$`));
      expect(tail.bytes.equals(blob.subarray(from))).toBe(true);
      const across = await read(source.url, `bytes=${2 * SOURCE_WINDOW_BYTES - 10}-${2 * SOURCE_WINDOW_BYTES + 9}`);
      expect(across.bytes.equals(blob.subarray(2 * SOURCE_WINDOW_BYTES - 10, 2 * SOURCE_WINDOW_BYTES + 10))).toBe(true);
      const beyond = await read(source.url, `bytes=${blob.length + 10}-`);
      expect(beyond.status).toBe(416);
    } finally {
      source.release();
    }
  });

  it("answers 404 for unknown or released sources, and passes storage errors through", async () => {
    const source = windows.register(await bucket.presignGet(blobKey));
    source.release();
    expect((await read(source.url)).status).toBe(404);
    expect((await read(source.url.replace(/[0-9a-f]{8}-/, "00000000-"))).status).toBe(404);

    const forged = (await bucket.presignGet(blobKey)).replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${"0".repeat(64)}`);
    await windows.with(forged, async (url) => {
      expect((await read(url)).status).toBe(403);
      const failure = await probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 600, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(JobFailure);
      expect((failure as JobFailure).code).toBe("source_unavailable");
    });
  });

  it("reports unreachable storage as a source failure worth retrying, not as a bad file", async () => {
    await windows.with("http://127.0.0.1:9/bucket/uploads/x/source?X-Amz-Signature=00", async (url) => {
      expect((await read(url)).status).toBe(502);
      const failure = await probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 600, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect((failure as JobFailure).code).toBe("source_unavailable");
    });
  });

  it("keeps serving after a reader hangs up mid-stream", async () => {
    const source = windows.register(await bucket.presignGet(blobKey));
    try {
      const abort = new AbortController();
      const res = await fetch(source.url, { signal: abort.signal });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      const again = await read(source.url, "bytes=0-99");
      expect(again.bytes.equals(blob.subarray(0, 100))).toBe(true);
    } finally {
      source.release();
    }
  });

  it("asks storage for one bounded window per request and reads ahead only what the next request takes", async () => {
    const whole = windows.register(await bucket.presignGet(blobKey));
    expect((await readToEnd(whole.url)).bytes.equals(blob)).toBe(true);
    // Every window after the first was fetched ahead while the one before it streamed, and used.
    expect(whole.release()).toEqual({ requests: Math.ceil(blob.length / SOURCE_WINDOW_BYTES), bytes: blob.length });
    // A reader that seeks away leaves at most one window fetched ahead for nothing.
    const seeking = windows.register(await bucket.presignGet(blobKey));
    await read(seeking.url, "bytes=0-");
    await read(seeking.url, `bytes=${2 * SOURCE_WINDOW_BYTES}-`);
    expect(seeking.release().bytes).toBeLessThanOrEqual(4 * SOURCE_WINDOW_BYTES);
    const small = windows.register(await bucket.presignGet(blobKey));
    expect((await read(small.url, "bytes=10-99")).bytes.equals(blob.subarray(10, 100))).toBe(true);
    expect(small.release()).toEqual({ requests: 1, bytes: 90 });
  });

  it("lets FFprobe read a video through it exactly as through the presigned URL", async () => {
    const key = `windows/${randomUUID()}.mp4`;
    await bucket.uploadFile(key, await makeClip(dir, "clip", { seconds: 3, width: 320, height: 240, audio: true }));
    const presigned = await bucket.presignGet(key);
    const signal = new AbortController().signal;
    const direct = await probeSource({ ffprobePath: "ffprobe", url: presigned, maxDurationSeconds: 600, signal });
    const through = await windows.with(presigned, (url) => probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 600, signal }));
    expect(through).toEqual(direct);
  });
});
