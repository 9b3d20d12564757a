// Upload limits against the real local S3 API (wrangler dev's R2, real SigV4 checks): each part URL
// accepts exactly its part's length (finding 5), and an upload completes from the parts reported
// one by one, without the ETag list in the body (finding 8a).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, reportPart, signUpCreator, type Session } from "../support/api-calls.ts";

type Created = { video: { id: string }; upload: { partSize: number; partCount: number; parts: { partNumber: number; url: string }[] } };

let stack: Stack;
let dir: string;
let creator: Session;
let db: pg.Client;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-upload-limits-"));
  const databaseUrl = await recreateDatabase(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", "edge_video_test_upload_limits");
  stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl, build: false, sweepIntervalMs: 0, transcoders: 1 });
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  creator = await signUpCreator(stack.origin, "Limits creator");
});

afterAll(async () => {
  await db?.end();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function create(size: number) {
  const res = await api<Created>(stack.origin, "/api/videos", {
    method: "POST",
    token: creator.token,
    body: JSON.stringify({ title: `limits ${size}`, visibility: "public", filename: "clip.mp4", size, contentType: "video/mp4" }),
  });
  expect(res.status).toBe(201);
  return res.body;
}

const bytes = (n: number, fill = 7): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill);

/**
 * PUTs a body of the wrong length. The local S3 API answers 403 SignatureDoesNotMatch; for bodies
 * of several MiB it answers before reading them, which reaches the client as a reset connection or
 * wrangler's 500 "Network connection lost". Either way nothing is stored (checked by completing).
 */
async function putRefused(url: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  try {
    const res = await fetch(url, { method: "PUT", body });
    const text = await res.text();
    expect(res.ok, `storage accepted ${body.byteLength} bytes`).toBe(false);
    if (res.status === 403) expect(text).toMatch(/SignatureDoesNotMatch/);
    else expect(`${res.status} ${text}`).toMatch(/^500 .*Network connection lost/);
    return String(res.status);
  } catch (err) {
    expect((err as { cause?: { code?: string } }).cause?.code).toMatch(/ECONNRESET|EPIPE|UND_ERR_SOCKET/);
    return "reset";
  }
}

describe("part URLs carry their length", () => {
  it("finding 5: a part URL for a 1-byte file refuses 64 KiB and 64 MiB; exactly 1 byte is stored", async () => {
    const { video, upload } = await create(1);
    const url = upload.parts[0]!.url;
    expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect(await putRefused(url, bytes(64 * 1024))).toBe("403");
    await putRefused(url, bytes(64 * 1024 * 1024));
    await putRefused(url, bytes(64 * 1024 * 1024));
    const ok = await fetch(url, { method: "PUT", body: bytes(1) });
    expect(ok.status).toBe(200);
    await reportPart(creator, video.id, 1, ok.headers.get("etag")!, 1);
    const done = await api<{ status: string }>(stack.origin, `/api/videos/${video.id}/upload/complete`, { method: "POST", token: creator.token, body: "{}" });
    expect(done.status).toBe(202);
    // 202 means the Worker found the stored object exactly the declared size.
  });

  it("a too-short body is refused too, and the last part's URL takes only the last part's length", async () => {
    const size = 9 * 1024 * 1024 + 5;
    const { video, upload } = await create(size);
    expect(upload.partCount).toBe(2);
    const [first, last] = upload.parts.map((p) => p.url) as [string, string];
    await putRefused(last, bytes(upload.partSize));
    await putRefused(first, bytes(upload.partSize - 1));
    await putRefused(first, bytes(upload.partSize + 1));
    // The right lengths go in, and the completed object is exactly the declared size.
    for (const [n, url, length] of [[1, first, upload.partSize], [2, last, size - upload.partSize]] as const) {
      const res = await fetch(url, { method: "PUT", body: bytes(length) });
      expect(res.status).toBe(200);
      await reportPart(creator, video.id, n, res.headers.get("etag")!, length);
    }
    const done = await api(stack.origin, `/api/videos/${video.id}/upload/complete`, { method: "POST", token: creator.token, body: "{}" });
    expect(done.status).toBe(202);
  });
});

describe("completing without the parts list", () => {
  it("finding 8a: a multipart upload completes from the reported parts; an unreported part is a clear 422", async () => {
    const size = 2 * 8 * 1024 * 1024 + 1234;
    const { video, upload } = await create(size);
    expect(upload.partCount).toBe(3);
    const etags: string[] = [];
    for (const part of upload.parts) {
      const length = Math.min(upload.partSize, size - (part.partNumber - 1) * upload.partSize);
      const res = await fetch(part.url, { method: "PUT", body: bytes(length, part.partNumber) });
      expect(res.status).toBe(200);
      etags.push(res.headers.get("etag")!);
    }
    await reportPart(creator, video.id, 1, etags[0]!, upload.partSize);
    await reportPart(creator, video.id, 3, etags[2]!, size - 2 * upload.partSize);
    const early = await api<{ detail: string }>(stack.origin, `/api/videos/${video.id}/upload/complete`, { method: "POST", token: creator.token, body: "{}" });
    expect(early.status).toBe(422);
    expect(early.body.detail).toMatch(/Part 2 has not been reported/);
    await reportPart(creator, video.id, 2, etags[1]!, upload.partSize);
    const done = await api<{ status: string }>(stack.origin, `/api/videos/${video.id}/upload/complete`, { method: "POST", token: creator.token, body: "{}" });
    expect(done.status).toBe(202);
    expect(["queued", "processing", "failed"]).toContain(done.body.status);
    const { rows } = await db.query("select source_size::bigint as size, status from videos where id = $1", [video.id]);
    expect(Number(rows[0].size)).toBe(size);
    expect(rows[0].status).not.toBe("uploading");
  });
});
