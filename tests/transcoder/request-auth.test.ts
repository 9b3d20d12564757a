// The transcoder's HTTP API only answers requests signed with CALLBACK_SECRET (as the Worker
// signs them), except GET /health; and what it logs never carries a presigned URL's query.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REDACTED } from "../../transcode-container/src/log.ts";
import { REQUEST_SIGNATURE_HEADER, signTranscoderRequest } from "../../transcode-container/src/request-auth.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

let transcoder: TranscoderProcess;
let bucket: TestBucket;

beforeAll(async () => {
  bucket = new TestBucket(inject("r2"));
  transcoder = await TranscoderProcess.start(inject("r2"), { env: { CALLBACK_ORIGIN: "http://127.0.0.1:9" } });
});

afterAll(async () => {
  await transcoder?.stop();
});

const probeBody = JSON.stringify({ videoId: randomUUID(), source: { url: "http://127.0.0.1:9/x" } });

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as { status: number; title: string; detail: string };
  expect(problem).toMatchObject({ status: 401, title: "Unauthorized" });
  expect(problem.detail).toContain(REQUEST_SIGNATURE_HEADER);
}

function post(path: string, body: string, signature?: string): Promise<Response> {
  return transcoder.unsignedFetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { [REQUEST_SIGNATURE_HEADER]: signature } : {}) },
    body,
  });
}

describe("signed requests", () => {
  it("leaves GET /health open", async () => {
    const response = await transcoder.unsignedFetch("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it("answers 401 problem JSON to unsigned requests on every other route", async () => {
    await expectUnauthorized(await post("/probe", probeBody));
    await expectUnauthorized(await post("/tasks/chunk", "{}"));
    await expectUnauthorized(await transcoder.unsignedFetch("/nope"));
    await expectUnauthorized(await transcoder.unsignedFetch("/health", { method: "POST", body: "{}" }));
  });

  it("refuses signatures made with another secret, for another request, or too long ago", async () => {
    await expectUnauthorized(await post("/probe", probeBody, await signTranscoderRequest("wrong-secret", "POST", "/probe", probeBody)));
    const forOtherBody = await signTranscoderRequest(CALLBACK_SECRET, "POST", "/probe", "{}");
    await expectUnauthorized(await post("/probe", probeBody, forOtherBody));
    const forOtherPath = await signTranscoderRequest(CALLBACK_SECRET, "POST", "/tasks/stills", probeBody);
    await expectUnauthorized(await post("/probe", probeBody, forOtherPath));
    const stale = await signTranscoderRequest(CALLBACK_SECRET, "POST", "/probe", probeBody, Math.floor(Date.now() / 1000) - 600);
    await expectUnauthorized(await post("/probe", probeBody, stale));
    await expectUnauthorized(await post("/probe", probeBody, "t=1,v1=zz"));
  });

  it("lets signed requests through to routing and validation", async () => {
    expect((await transcoder.fetch("/nope")).status).toBe(404);
    expect((await transcoder.fetch("/probe", { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await transcoder.fetch("/probe", { method: "POST", body: JSON.stringify({ videoId: "x" }) })).status).toBe(400);
    const oversized = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    expect((await transcoder.fetch("/probe", { method: "POST", body: oversized })).status).toBe(413);
  });
});

describe("logs", () => {
  it("never carry a presigned URL's query string, FFmpeg's stderr included", async () => {
    const url = await bucket.presignGet(`uploads/${randomUUID()}/missing`);
    const signature = new URL(url).searchParams.get("X-Amz-Signature")!;
    const response = await transcoder.fetch("/probe", {
      method: "POST",
      body: JSON.stringify({ videoId: randomUUID(), source: { url } }),
    });
    expect(response.status).toBe(200);
    // The probe fails (no such object); the source reader logs the URL it was refused.
    expect(await response.json()).toMatchObject({ ok: false, failure: { code: "source_unavailable" } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logs = transcoder.logs.join("\n");
    expect(logs).toContain(`${url.split("?")[0]}?${REDACTED}`);
    expect(logs).not.toContain(signature);
    expect(logs).not.toMatch(/X-Amz-(Signature|Credential)=(?!\[redacted\])/);
  });
});
