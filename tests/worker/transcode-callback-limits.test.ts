// The transcode callback refuses what it should before reading it (issue #13, finding 4): an
// unsigned request without reading its body at all, an oversized body after at most the JSON
// limit, and a body other than the one signed.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signCallback, verifySignatureHeader } from "#transcoder/callback-signature.ts";
import { MAX_JSON_BODY_BYTES } from "#worker/http/validate.ts";

const CALLBACK = "http://example.com/api/internal/transcode/callback";
const EIGHT_MIB = 8 * 1024 * 1024;

/** A body of `total` bytes in 16 KiB chunks that counts how many bytes were pulled from it. */
function countingBody(total: number) {
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

async function post(body: BodyInit, signature: string | null, headers: Record<string, string> = {}) {
  return SELF.fetch(CALLBACK, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "x-transcoder-signature": signature } : {}), ...headers },
    body,
  });
}

const settle = () => new Promise((r) => setTimeout(r, 200));

describe("transcode callback: bounded and verified first", () => {
  it("an unsigned 8 MiB streamed body is refused (401) with almost none of it read", async () => {
    const body = countingBody(EIGHT_MIB);
    const res = await post(body.stream, null);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    await settle();
    // Nothing is read by the route; at most what the runtime's pipe buffers on its own.
    expect(body.pulled()).toBeLessThanOrEqual(32 * 1024); // measured: 16 KiB (one chunk); before: ~80 KiB
  });

  it("a validly signed header with an 8 MiB streamed body: 413 problem+json after at most the limit", async () => {
    const body = countingBody(EIGHT_MIB);
    const res = await post(body.stream, await signCallback(env.CALLBACK_SECRET, "{}"));
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    await settle();
    expect(body.pulled()).toBeLessThan(MAX_JSON_BODY_BYTES + 128 * 1024);
    expect(body.pulled()).toBeLessThan(EIGHT_MIB / 16); // measured: 80 KiB of 8 MiB
  });

  it("a declared length over the limit is refused (413) before anything else", async () => {
    const res = await post("{}", await signCallback(env.CALLBACK_SECRET, "{}"), { "content-length": String(EIGHT_MIB) }).catch(() => null);
    // workerd may refuse a lying content-length itself; either way nothing is processed.
    if (res) expect([400, 413]).toContain(res.status);
    const honest = new Uint8Array(MAX_JSON_BODY_BYTES + 1).fill(0x20);
    const big = await post(honest, await signCallback(env.CALLBACK_SECRET, "x"));
    expect(big.status).toBe(413);
  });

  it("a body other than the signed one, and the old signature format, are refused (401)", async () => {
    const signedFor = JSON.stringify({ a: 1 });
    const other = await post(JSON.stringify({ a: 2 }), await signCallback(env.CALLBACK_SECRET, signedFor));
    expect(other.status).toBe(401);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/does not match/);
    // v1 over "<t>.<body>" (before the body hash was signed) is no longer accepted.
    const t = Math.floor(Date.now() / 1000);
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(env.CALLBACK_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${signedFor}`)));
    const legacy = `t=${t},v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    expect((await post(signedFor, legacy)).status).toBe(401);
  });

  it("the header is checked on its own: time window, secret and hash format", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = await signCallback("k", "body", now);
    expect(await verifySignatureHeader("k", header, { now })).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifySignatureHeader("other", header, { now })).toBeNull();
    expect(await verifySignatureHeader("k", header, { now: now + 301 })).toBeNull();
    expect(await verifySignatureHeader("k", header.replace(/sha256=[0-9a-f]/, "sha256=g"), { now })).toBeNull();
    const swapped = header.replace(/sha256=([0-9a-f]{64})/, (_, h: string) => `sha256=${h.slice(1)}${h[0]}`);
    expect(await verifySignatureHeader("k", swapped, { now })).toBeNull();
  });
});
