// Chunked transcoding as the Worker sees it, in workerd against real Postgres and local R2:
// signed task callbacks (heartbeats, outcomes), publishing over the
// contiguous prefix of finished chunks, per-task retries and the sweep.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcodeTasks, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { mediaKeys } from "#contract/media-layout.ts";
import { signCallback, verifyCallbackSignature as verifyCallback } from "#transcoder/callback-signature.ts";
import type { TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { leaseTranscode } from "#worker/transcode/lease.ts";
import { sweepStaleTranscodes } from "#worker/sweeps/stale-transcodes.ts";
import { audioOutcome, callback, chunkOutcome, plannedVideo, post } from "./transcode-fixtures.ts";

let handle: DatabaseHandle;
beforeAll(() => {
  handle = openDatabase(env);
});
afterAll(async () => {
  await handle.close();
});

const row = async (videoId: string) => (await handle.db.select().from(videos).where(eq(videos.id, videoId)))[0]!;
const text = async (key: string) => (await env.MEDIA.get(key))?.text() ?? null;

describe("task callbacks", () => {
  it("signatures: valid, tampered, wrong key and outside the replay window", async () => {
    const now = Math.floor(Date.now() / 1000);
    const sig = await signCallback("k", "body", now);
    expect(await verifyCallback("k", sig, "body", { now })).toBe(true);
    expect(await verifyCallback("k", sig, "body!", { now })).toBe(false);
    expect(await verifyCallback("other", sig, "body", { now })).toBe(false);
    expect(await verifyCallback("k", sig, "body", { now: now + 301 })).toBe(false);
    expect(await verifyCallback("k", "garbage", "body", { now })).toBe(false);
  });

  it("refuses bad signatures (401), malformed bodies (400), and tells unknown tasks to stop (410)", async () => {
    const v = await plannedVideo(handle.db);
    const bad = await post(callback(v, "chunk", 0, "heartbeat"), "t=1,v1=00");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("content-type")).toMatch(/problem\+json/);
    expect((await post({ nope: true })).status).toBe(400);
    expect((await post(callback({ ...v, jobId: crypto.randomUUID() }, "chunk", 0, "heartbeat"))).status).toBe(410);
    expect((await post(callback(v, "chunk", 0, "heartbeat"))).status).toBe(204);
  });

  it("publishes over the contiguous prefix of finished chunks; playable once the first video and audio chunks are out; ready at the end", async () => {
    const v = await plannedVideo(handle.db);
    const keys = mediaKeys(v.videoId);
    // A later chunk first: nothing can be published past the gap.
    expect((await post(callback(v, "chunk", 2, "done", chunkOutcome(v.plan, v.chunks[2]!))))).toHaveProperty("status", 204);
    expect(await text(keys.playlist("720p"))).toBeNull();
    expect((await post(callback(v, "chunk", 0, "done", chunkOutcome(v.plan, v.chunks[0]!))))).toHaveProperty("status", 204);
    let playlist = await text(keys.playlist("720p"));
    expect(playlist).toContain("seg_00001.m4s");
    expect(playlist).not.toContain("seg_00003.m4s");
    expect(playlist).not.toContain("#EXT-X-ENDLIST");
    expect((await row(v.videoId)).playable).toBe(false); // the audio is not out yet
    // The second audio chunk alone publishes nothing: the audio playlist grows from its start.
    expect((await post(callback(v, "audio", 1, "done", audioOutcome(v.audioChunks[1]!)))).status).toBe(204);
    expect(await text(keys.playlist("audio"))).toBeNull();
    expect((await row(v.videoId)).playable).toBe(false);
    expect((await post(callback(v, "audio", 0, "done", audioOutcome(v.audioChunks[0]!)))).status).toBe(204);
    expect((await row(v.videoId)).playable).toBe(true);
    const audioPlaylist = await text(keys.playlist("audio"));
    // 0–8 s is two segments (1, 2), 8–30 s starts at segment 3 on the 4 s grid.
    expect(audioPlaylist!.match(/seg_\d+\.m4s/g)).toEqual(["seg_00001.m4s", "seg_00002.m4s", "seg_00003.m4s", "seg_00004.m4s", "seg_00005.m4s", "seg_00006.m4s", "seg_00007.m4s", "seg_00008.m4s"]);
    expect(audioPlaylist).toContain("#EXT-X-ENDLIST");
    const master = await text(keys.master);
    expect(master).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"');
    expect(master).toContain('AUDIO="audio"');
    // Chunk 1 closes the gap: chunks 0–2 are listed, in order, numbered on.
    await post(callback(v, "chunk", 1, "done", chunkOutcome(v.plan, v.chunks[1]!)));
    playlist = await text(keys.playlist("720p"));
    expect(playlist!.match(/seg_\d+\.m4s/g)).toEqual(["seg_00001.m4s", "seg_00002.m4s", "seg_00003.m4s"]);
    for (const spec of v.chunks.slice(3)) await post(callback(v, "chunk", spec.index, "done", chunkOutcome(v.plan, spec)));
    expect((await row(v.videoId)).status).toBe("processing"); // stills still running
    await post(callback(v, "stills", 0, "done", { ok: true, keys: [keys.poster, keys.thumbnail(1)], renditions: [] }));
    const ready = await row(v.videoId);
    expect(ready).toMatchObject({ status: "ready", progress: 100, posterKey: keys.poster, thumbnailKeys: [keys.thumbnail(1)] });
    expect(ready.durationSeconds).toBeCloseTo(30, 3);
    expect(ready.renditions!.map((r) => r.name)).toEqual(v.plan.ladder.rungs.map((r) => r.name));
    expect(await text(keys.playlist("720p"))).toContain("#EXT-X-ENDLIST");
    expect(await text(keys.storyboardVtt)).toMatch(/storyboard\/\d+\.jpg#xywh=/);
    // A duplicate outcome after the fact is told to stop.
    expect((await post(callback(v, "chunk", 0, "done", chunkOutcome(v.plan, v.chunks[0]!)))).status).toBe(410);
  });

  it("our-side failures retry the task (attempts counted per task); the file's fault fails the video at once", async () => {
    const v = await plannedVideo(handle.db);
    const storage: TaskOutcome = { ok: false, failure: { code: "storage_error", reason: "The processed video could not be saved" } };
    expect((await post(callback(v, "chunk", 1, "done", storage))).status).toBe(204);
    const [task] = await handle.db.select().from(transcodeTasks).where(eq(transcodeTasks.videoId, v.videoId)).then((rows) => rows.filter((t) => t.kind === "chunk" && t.index === 1));
    expect(task).toMatchObject({ state: "pending", attempts: 1 });
    expect((await row(v.videoId)).status).toBe("processing");
    await handle.db.update(transcodeTasks).set({ attempts: 4 }).where(eq(transcodeTasks.videoId, v.videoId));
    await post(callback(v, "chunk", 2, "done", storage));
    expect(await row(v.videoId)).toMatchObject({ status: "failed", failureReason: expect.stringMatching(/several attempts/) });

    const w = await plannedVideo(handle.db);
    await post(callback(w, "chunk", 0, "done", { ok: false, failure: { code: "corrupt", reason: "The file is damaged or truncated" } }));
    expect(await row(w.videoId)).toMatchObject({ status: "failed", failureReason: "The file is damaged or truncated" });
  });

  it("a planned video is not leased again; tasks whose heartbeats stopped are handed out again by the sweep", async () => {
    const v = await plannedVideo(handle.db);
    await handle.db.update(videos).set({ heartbeatAt: new Date(Date.now() - 3600_000) }).where(eq(videos.id, v.videoId));
    expect((await leaseTranscode(handle.db, v.videoId, { maxAttempts: 3, heartbeatTimeoutSeconds: 60 })).kind).toBe("busy");
    await handle.db.update(transcodeTasks).set({ updatedAt: new Date(Date.now() - 120_000) }).where(eq(transcodeTasks.videoId, v.videoId));
    const swept = await sweepStaleTranscodes(env, handle.db);
    expect(swept.requeued).toBeGreaterThanOrEqual(v.chunks.length + 2);
    const states = await handle.db.select({ state: transcodeTasks.state }).from(transcodeTasks).where(eq(transcodeTasks.videoId, v.videoId));
    expect(new Set(states.map((s) => s.state))).toEqual(new Set(["pending"]));
  });

  it("a task that finishes after its video was deleted removes what it wrote and is told to stop", async () => {
    const v = await plannedVideo(handle.db);
    const key = mediaKeys(v.videoId).segment("720p", 1);
    await env.MEDIA.put(key, "bytes");
    await handle.db.delete(videos).where(eq(videos.id, v.videoId));
    const res = await post(callback(v, "chunk", 0, "done", { ...chunkOutcome(v.plan, v.chunks[0]!), keys: [key] } as TaskOutcome));
    expect(res.status).toBe(410);
    expect(await env.MEDIA.head(key)).toBeNull();
  });

  it("a stored media key outside the video's own prefix is not published, and the video still answers 200", async () => {
    const v = await plannedVideo(handle.db);
    const other = crypto.randomUUID();
    await handle.db
      .update(videos)
      .set({ playable: true, visibility: "public", masterKey: mediaKeys(other).master, posterKey: mediaKeys(other).poster })
      .where(eq(videos.id, v.videoId));
    const res = await SELF.fetch(`http://example.com/api/videos/${v.videoId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { playback: { hls: string; poster: string | null } };
    expect(body.playback.hls).toContain(`/videos/${v.videoId}/master.m3u8`);
    expect(body.playback.poster).toBeNull();
  });
});
