// Handing out work as transcoders free up, in workerd against real Postgres and the suite's real
// transcoder process: a finished task's slot gets the next task in playback order at once (one
// request to that slot, not a queue round trip), another video's work when this one has none,
// and a video whose last publish failed is published again (by the repeated callback or the
// sweep) instead of staying "processing" with every task done.
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transcodeTasks, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { sweepStaleTranscodes } from "#worker/sweeps/stale-transcodes.ts";
import { pumpVideo } from "#worker/transcode/next-task.ts";
import { CHUNK_PROFILE } from "#transcoder/chunks/plan.ts";
import { audioOutcome, callback, chunkOutcome, plannedVideo, post } from "./transcode-fixtures.ts";

let handle: DatabaseHandle;
beforeAll(() => {
  handle = openDatabase(env);
});
afterAll(async () => {
  await handle.close();
});

type Planned = Awaited<ReturnType<typeof plannedVideo>>;
const tasksOf = (videoId: string) =>
  handle.db.select().from(transcodeTasks).where(eq(transcodeTasks.videoId, videoId));
const task = async (videoId: string, kind: "chunk" | "audio" | "stills", index: number) =>
  (await handle.db.select().from(transcodeTasks).where(and(eq(transcodeTasks.videoId, videoId), eq(transcodeTasks.kind, kind), eq(transcodeTasks.index, index))))[0]!;

/** Chunks from `from` on (and the last audio chunk) wait to be started; chunk 0 runs on slot 0. */
async function withPendingTail(v: Planned, from: number) {
  const { db } = handle;
  await db.update(transcodeTasks).set({ slot: 0 }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "chunk"), eq(transcodeTasks.index, 0)));
  for (const spec of v.chunks.slice(from)) {
    await db.update(transcodeTasks).set({ state: "pending" }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "chunk"), eq(transcodeTasks.index, spec.index)));
  }
}

describe("dispatch as transcoders free up", () => {
  it("a finished task's slot takes the job's next pending task in playback order, and the slot is recorded", async () => {
    const v = await plannedVideo(handle.db);
    expect(v.chunks.length).toBeGreaterThanOrEqual(4);
    await withPendingTail(v, 2);
    expect((await post(callback(v, "chunk", 0, "done", chunkOutcome(v.plan, v.chunks[0]!)))).status).toBe(204);
    // Chunk 2 starts earliest of the pending ones: it went to slot 0 (attempt 2 of the row).
    expect(await task(v.videoId, "chunk", 2)).toMatchObject({ state: "running", slot: 0, attempts: 2 });
    for (const spec of v.chunks.slice(3)) expect(await task(v.videoId, "chunk", spec.index)).toMatchObject({ state: "pending" });
    expect(await task(v.videoId, "chunk", 0)).toMatchObject({ state: "done" });
  });

  it("a failed task frees its slot for other work; the failed one waits for its backoff", async () => {
    const v = await plannedVideo(handle.db);
    await withPendingTail(v, 2);
    const storage = { ok: false as const, failure: { code: "storage_error", reason: "The processed video could not be saved" } };
    expect((await post(callback(v, "chunk", 0, "done", storage))).status).toBe(204);
    expect(await task(v.videoId, "chunk", 0)).toMatchObject({ state: "pending", attempts: 1 });
    expect(await task(v.videoId, "chunk", 2)).toMatchObject({ state: "running", slot: 0 });
  });

  it("with nothing left to start in its own job, the slot takes the work of the video that has waited longest", async () => {
    const older = await plannedVideo(handle.db);
    const v = await plannedVideo(handle.db);
    await handle.db.update(videos).set({ queuedAt: new Date(Date.now() - 3_600_000) }).where(eq(videos.id, older.videoId));
    const last = older.chunks.at(-1)!;
    await handle.db.update(transcodeTasks).set({ state: "pending" }).where(and(eq(transcodeTasks.videoId, older.videoId), eq(transcodeTasks.kind, "chunk"), eq(transcodeTasks.index, last.index)));
    await handle.db.update(transcodeTasks).set({ slot: 0 }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "chunk"), eq(transcodeTasks.index, 1)));
    expect((await post(callback(v, "chunk", 1, "done", chunkOutcome(v.plan, v.chunks[1]!)))).status).toBe(204);
    expect(await task(older.videoId, "chunk", last.index)).toMatchObject({ state: "running", slot: 0 });
  });

  it("a queued message starts its job's earliest pending task in playback order (the stills after the first 8 s)", async () => {
    const v = await plannedVideo(handle.db);
    const pend = (kind: "chunk" | "stills", index: number) =>
      handle.db.update(transcodeTasks).set({ state: "pending" }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, kind), eq(transcodeTasks.index, index)));
    const late = v.chunks.find((c) => c.startSeconds > CHUNK_PROFILE.stillsAtSeconds)!;
    const early = v.chunks.find((c) => c.startSeconds > 0 && c.startSeconds < CHUNK_PROFILE.stillsAtSeconds)!;
    await pend("chunk", late.index);
    await pend("stills", 0);
    // The message names any task of the job: it starts what is due first, not what it names.
    await pumpVideo(env, { videoId: v.videoId, jobId: v.jobId, task: { kind: "chunk", index: late.index } });
    expect(await task(v.videoId, "stills", 0)).toMatchObject({ state: "running", slot: 0 });
    expect(await task(v.videoId, "chunk", late.index)).toMatchObject({ state: "pending" });
    await pend("chunk", early.index);
    await pumpVideo(env, { videoId: v.videoId, jobId: v.jobId, task: { kind: "chunk", index: late.index } });
    expect(await task(v.videoId, "chunk", early.index)).toMatchObject({ state: "running" });
    expect(await task(v.videoId, "chunk", late.index)).toMatchObject({ state: "pending" });
  });

  it("a video one publish short is published again: by a repeated outcome, or by the sweep", async () => {
    for (const via of ["callback", "sweep"] as const) {
      const v = await plannedVideo(handle.db);
      // Every task recorded as done, as if the publish after the last one had failed.
      for (const spec of v.chunks) {
        await handle.db.update(transcodeTasks).set({ state: "done", result: chunkOutcome(v.plan, spec) as never }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "chunk"), eq(transcodeTasks.index, spec.index)));
      }
      for (const spec of v.audioChunks) {
        await handle.db.update(transcodeTasks).set({ state: "done", result: audioOutcome(spec) as never }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "audio"), eq(transcodeTasks.index, spec.index)));
      }
      await handle.db.update(transcodeTasks).set({ state: "done", result: { renditions: [], keys: [] } }).where(and(eq(transcodeTasks.videoId, v.videoId), eq(transcodeTasks.kind, "stills")));
      expect((await handle.db.select().from(videos).where(eq(videos.id, v.videoId)))[0]).toMatchObject({ status: "processing" });
      if (via === "callback") {
        expect((await post(callback(v, "chunk", 0, "done", chunkOutcome(v.plan, v.chunks[0]!)))).status).toBe(204);
      } else {
        await handle.db.update(videos).set({ heartbeatAt: new Date(Date.now() - 3_600_000) }).where(eq(videos.id, v.videoId));
        await sweepStaleTranscodes(env, handle.db);
      }
      expect((await handle.db.select().from(videos).where(eq(videos.id, v.videoId)))[0], via).toMatchObject({ status: "ready", progress: 100 });
      expect((await tasksOf(v.videoId)).every((t) => t.state === "done")).toBe(true);
    }
  });
});
