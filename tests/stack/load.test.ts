// The short load profile of bench/load: viewers and API clients at once, no failed request, and
// every acknowledged view counted exactly once.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readyVideoForLoad, runLoad } from "../../bench/load/load-profile.ts";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { signUpCreator, uploadAndWaitReady } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";

let stack: Stack;
let dir: string;
let databaseUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-load-test-"));
  databaseUrl = await recreateDatabase(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", "edge_video_test_load");
  stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl, build: false, sweepIntervalMs: 0 });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

let video: Awaited<ReturnType<typeof readyVideoForLoad>>;

it("holds a short mixed load with nothing lost", async () => {
  const clip = new Uint8Array(await readFile(await makeClip(path.join(dir, "clip.mp4"), { seconds: 8, width: 640, height: 360 })));
  video = await readyVideoForLoad(stack.origin, { signUpCreator, uploadAndWait: (s) => uploadAndWaitReady(s, clip) });
  const result = await runLoad({ origin: stack.origin, databaseUrl, viewerHashSecret: stack.vars.VIEWER_HASH_SECRET! }, video, { viewers: 20, apiClients: 5, seconds: 6 });
  console.log(JSON.stringify(result));
  expect(result.media.failed).toBe(0);
  expect(result.api.failed).toBe(0);
  expect(result.views.acknowledged).toBeGreaterThan(0);
  expect(result.views.stored).toBe(result.views.acknowledged);
  expect(result.views.duplicates).toBe(0);
  expect(result.views.viewCount).not.toBe(-1);
});

it("the paced profile (viewers and API clients on their own clocks) sends at their pace, with nothing lost", async () => {
  const result = await runLoad({ origin: stack.origin, databaseUrl, viewerHashSecret: stack.vars.VIEWER_HASH_SECRET! }, video, { viewers: 8, apiClients: 6, seconds: 4, paced: { segmentSeconds: 2 } });
  console.log(JSON.stringify(result));
  // 8 viewers × one request per 2 s and 6 API clients × one per second, over 4 s; each API client
  // asks latest, metadata, a view report, latest again.
  expect(result.media.requests).toBe(16);
  expect(result.api.requests).toBe(24);
  expect(result.media.failed).toBe(0);
  expect(result.api.failed).toBe(0);
  expect(result.apiByRoute.map((r) => r.requests)).toEqual([12, 6, 6]);
  expect(result.views.acknowledged).toBe(6);
  expect(result.views.stored).toBe(6);
  expect(result.views.duplicates).toBe(0);
});
