import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creators, users, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { signCallback, verifyCallbackSignature as verifyCallback } from "#transcoder/callback-signature.ts";
import { leaseTranscode } from "#worker/transcode/lease.ts";
import { sweepStaleTranscodes } from "#worker/sweeps/stale-transcodes.ts";

let handle: DatabaseHandle;

beforeAll(() => {
  handle = openDatabase(env);
});
afterAll(async () => {
  await handle.close();
});

async function processingVideo() {
  const { db } = handle;
  const [user] = await db.insert(users).values({ email: `cb-${crypto.randomUUID()}@example.com`, passwordHash: "x", role: "creator" }).returning();
  const [creator] = await db.insert(creators).values({ userId: user!.id, displayName: "Callback" }).returning();
  const [video] = await db.insert(videos).values({ creatorId: creator!.id, title: "cb", status: "queued", queuedAt: new Date() }).returning();
  const lease = await leaseTranscode(db, video!.id, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 });
  if (lease.kind !== "leased") throw new Error("no lease");
  return lease.lease;
}

async function post(body: object, signature?: string) {
  const text = JSON.stringify(body);
  return SELF.fetch("http://example.com/api/internal/transcode/callback", {
    method: "POST",
    headers: { "content-type": "application/json", "x-transcoder-signature": signature ?? (await signCallback(env.CALLBACK_SECRET, text)) },
    body: text,
  });
}

describe("transcode callbacks", () => {
  it("signatures: valid, tampered, wrong key and outside the replay window", async () => {
    const now = Math.floor(Date.now() / 1000);
    const sig = await signCallback("k", "body", now);
    expect(await verifyCallback("k", sig, "body", { now })).toBe(true);
    expect(await verifyCallback("k", sig, "body!", { now })).toBe(false);
    expect(await verifyCallback("other", sig, "body", { now })).toBe(false);
    expect(await verifyCallback("k", sig, "body", { now: now + 301 })).toBe(false);
    expect(await verifyCallback("k", "garbage", "body", { now })).toBe(false);
  });

  it("applies progress, playable and ready for the current attempt", async () => {
    const lease = await processingVideo();
    const base = { jobId: lease.jobId, videoId: lease.videoId, attempt: lease.attempt, at: new Date().toISOString() };
    expect((await post({ ...base, event: "progress", progress: 42 })).status).toBe(204);
    expect((await post({ ...base, event: "playable", playable: { master: `videos/${lease.videoId}/master.m3u8` } })).status).toBe(204);
    let [row] = await handle.db.select().from(videos).where(eq(videos.id, lease.videoId));
    expect(row).toMatchObject({ progress: 42, playable: true, status: "processing" });
    expect(row!.publishedAt).toBeTruthy();
    const result = {
      durationSeconds: 6,
      width: 1280,
      height: 720,
      master: `videos/${lease.videoId}/master.m3u8`,
      poster: `videos/${lease.videoId}/poster.jpg`,
      thumbnails: [],
      storyboard: { image: `videos/${lease.videoId}/storyboard.jpg`, vtt: `videos/${lease.videoId}/storyboard.vtt` },
      renditions: [],
    };
    expect((await post({ ...base, event: "ready", result })).status).toBe(204);
    [row] = await handle.db.select().from(videos).where(eq(videos.id, lease.videoId));
    expect(row).toMatchObject({ status: "ready", progress: 100, width: 1280, height: 720, durationSeconds: 6 });
  });

  it("refuses bad signatures and tells superseded attempts to stop (410)", async () => {
    const lease = await processingVideo();
    const base = { jobId: lease.jobId, videoId: lease.videoId, attempt: lease.attempt, at: new Date().toISOString(), event: "progress", progress: 5 };
    const bad = await post(base, "t=1,v1=00");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("content-type")).toMatch(/problem\+json/);
    const stale = await post({ ...base, jobId: crypto.randomUUID() });
    expect(stale.status).toBe(410);
    const malformed = await post({ nope: true });
    expect(malformed.status).toBe(400);
  });

  it("a failed event records the reason", async () => {
    const lease = await processingVideo();
    const res = await post({ jobId: lease.jobId, videoId: lease.videoId, attempt: 1, at: new Date().toISOString(), event: "failed", failure: { code: "no_video", reason: "The file has no video stream" } });
    expect(res.status).toBe(204);
    const [row] = await handle.db.select().from(videos).where(eq(videos.id, lease.videoId));
    expect(row).toMatchObject({ status: "failed", failureReason: "The file has no video stream" });
  });

  it("redelivery while a healthy attempt runs is not a second run; a stale heartbeat is re-leased", async () => {
    const lease = await processingVideo();
    const again = await leaseTranscode(handle.db, lease.videoId, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 });
    expect(again.kind).toBe("busy");
    await handle.db.update(videos).set({ heartbeatAt: new Date(Date.now() - 120_000) }).where(eq(videos.id, lease.videoId));
    const retried = await leaseTranscode(handle.db, lease.videoId, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 });
    expect(retried.kind).toBe("leased");
    if (retried.kind === "leased") expect(retried.lease.attempt).toBe(2);
  });

  it("a retryable failure (our side) goes back to the queue; the file's fault is final", async () => {
    const lease = await processingVideo();
    const res = await post({ jobId: lease.jobId, videoId: lease.videoId, attempt: 1, at: new Date().toISOString(), event: "failed", failure: { code: "storage_error", reason: "The processed video could not be saved" } });
    expect(res.status).toBe(204);
    const [row] = await handle.db.select().from(videos).where(eq(videos.id, lease.videoId));
    expect(row).toMatchObject({ status: "queued", failureReason: null });
  });

  it("the sweep fails a video whose last attempt stopped heartbeating", async () => {
    const lease = await processingVideo();
    await handle.db
      .update(videos)
      .set({ attempt: 3, heartbeatAt: new Date(Date.now() - 3600_000) })
      .where(eq(videos.id, lease.videoId));
    const result = await sweepStaleTranscodes({ ...env, HEARTBEAT_TIMEOUT_SECONDS: "60" }, handle.db);
    expect(result.failed).toBeGreaterThanOrEqual(1);
    const [row] = await handle.db.select().from(videos).where(eq(videos.id, lease.videoId));
    expect(row!.status).toBe("failed");
    expect(row!.failureReason).toMatch(/several/);
  });
});
