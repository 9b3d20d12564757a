// Idle costs nothing: the every-minute cron opens the database only when the work marker says
// there is something to sweep (or on the safety minute); while anything is uploading or being
// transcoded the marker stays, so the transcode sweep runs every minute.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SWEEP_WORK_KEY } from "#contract/media-layout.ts";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { runSweeps } from "#worker/sweeps/run.ts";
import { SAFETY_SWEEP_MINUTES, clearSweepWork, hasUnfinishedWork, markSweepWork, sweepWorkMarker } from "#worker/sweeps/work-marker.ts";
import { createApiClient } from "../support/api-client.ts";

const api = createApiClient(SELF);
const MINUTE = 60_000;
// A minute that is not a safety minute, and the next ones.
const base = Math.ceil(Date.now() / (SAFETY_SWEEP_MINUTES * MINUTE)) * SAFETY_SWEEP_MINUTES * MINUTE + MINUTE;

/** The Worker's bindings with a database that must not be touched: reading its URL throws. */
const untouchableDatabase = (): Env =>
  Object.defineProperty({ ...env }, "DATABASE_URL", {
    get() {
      throw new Error("the sweep opened the database");
    },
  }) as Env;

let handle: DatabaseHandle;
beforeAll(() => {
  handle = openDatabase(env);
});
afterAll(() => handle.close());

describe("cron sweeps", () => {
  it("an idle platform opens no database connection for 5 minutes (and more, until the safety minute)", async () => {
    await env.MEDIA.delete(SWEEP_WORK_KEY);
    for (let minute = 0; minute < SAFETY_SWEEP_MINUTES - 1; minute++) {
      expect(await runSweeps(untouchableDatabase(), base + minute * MINUTE)).toBe("idle");
    }
    // The safety minute sweeps whatever the marker says.
    await expect(runSweeps(untouchableDatabase(), base - MINUTE)).rejects.toThrow("the sweep opened the database");
  });

  it("starting an upload writes the marker before the row; the next sweep runs", async () => {
    await env.MEDIA.delete(SWEEP_WORK_KEY);
    const creator = await api.signUpCreator("Sweep marker creator");
    const res = await api.request("/api/videos", {
      method: "POST",
      as: creator,
      json: { title: "Marked upload", visibility: "public", filename: "a.mp4", size: 1000, contentType: "video/mp4" },
    });
    // This suite's S3 endpoint is a closed port, so creating the multipart upload fails (503)
    // after the row was inserted: the marker, written first, is there all the same.
    expect(res.status).toBe(503);
    expect(await sweepWorkMarker(env.MEDIA)).not.toBeNull();
    expect(await runSweeps(env, base)).toBe("swept");
  });

  it("while a video is processing the marker stays and the sweep runs every minute", async () => {
    const creator = await api.signUpCreator("Sweep processing creator");
    const [row] = await handle.db
      .insert(videos)
      .values({ creatorId: creator.creatorId!, title: "Processing", description: "", visibility: "public", status: "processing", heartbeatAt: new Date() })
      .returning();
    await markSweepWork(env.MEDIA);
    for (let minute = 0; minute < 3; minute++) {
      expect(await runSweeps(env, base + minute * MINUTE)).toBe("swept");
      expect(await sweepWorkMarker(env.MEDIA)).not.toBeNull();
    }
    await handle.db.update(videos).set({ status: "ready" }).where(eq(videos.id, row!.id));
    // Other suites share this database: the marker goes only if nothing at all is unfinished.
    const busy = await hasUnfinishedWork(handle.db);
    expect(await runSweeps(env, base + 3 * MINUTE)).toBe("swept");
    if (busy) expect(await sweepWorkMarker(env.MEDIA)).not.toBeNull();
    else expect(await sweepWorkMarker(env.MEDIA)).toBeNull();
  });

  it("a marker rewritten during a sweep is kept", async () => {
    await markSweepWork(env.MEDIA);
    const seen = await sweepWorkMarker(env.MEDIA);
    await markSweepWork(env.MEDIA);
    await clearSweepWork(env.MEDIA, seen);
    expect(await sweepWorkMarker(env.MEDIA)).not.toBeNull();
    await clearSweepWork(env.MEDIA, await sweepWorkMarker(env.MEDIA));
    expect(await sweepWorkMarker(env.MEDIA)).toBeNull();
  });
});
