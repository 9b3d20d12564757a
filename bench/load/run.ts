// Load on the local stack: 200 viewers streaming + 50 API clients browsing and posting views for
// 60 s (override with --viewers/--api/--seconds), then the views accounting check.
//   node bench/load/run.ts [--viewers 200] [--api 50] [--seconds 60] [--paced]
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { signUpCreator, uploadAndWaitReady } from "../../tests/support/api-calls.ts";
import { makeClip } from "../../tests/support/clips.ts";
import { readyVideoForLoad, runLoad } from "./load-profile.ts";
import { formatShares } from "../cpu-by-process.ts";
import { LADDER_PROFILE } from "../../transcode-container/src/ladder-profile.ts";
import { benchStateDir } from "../state-dir.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
// --paced: viewers at a playing player's pace (one segment per segment duration) instead of closed loop.
const paced = process.argv.includes("--paced") ? { segmentSeconds: LADDER_PROFILE.segmentSeconds } : undefined;
const profile = { viewers: arg("viewers", 200), apiClients: arg("api", 50), seconds: arg("seconds", 60), paced };

const dir = await benchStateDir("edge-video-load-");
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const databaseName = "edge_video_bench_load";
const databaseUrl = await recreateDatabase(server, databaseName);
// Postgres behind pgbouncer (transaction mode), as production reaches Neon's pooled endpoint.
const stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl, build: false, sweepIntervalMs: 0, dbPooler: "pgbouncer" });
try {
  const clip = new Uint8Array(await readFile(await makeClip(path.join(dir, "clip.mp4"), { seconds: 12, width: 1280, height: 720 })));
  const video = await readyVideoForLoad(stack.origin, { signUpCreator, uploadAndWait: (s) => uploadAndWaitReady(s, clip) });
  const result = await runLoad({ origin: stack.origin, databaseUrl, viewerHashSecret: stack.vars.VIEWER_HASH_SECRET! }, video, profile, { databaseName });
  const pace = paced ? `paced: ${Math.round(profile.viewers / paced.segmentSeconds)} media + ${profile.apiClients} API requests/s offered` : "closed loop";
  console.log(`\nload: ${profile.viewers} viewers + ${profile.apiClients} API clients for ${profile.seconds} s on ${os.cpus().length} cores (${pace})`);
  console.log("| traffic | requests | req/s | p50 ms | p99 ms | failed |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, r] of [["media (playlists + segments)", result.media], ["API (browse + views)", result.api]] as const) {
    console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.failed} |`);
  }
  console.log("\n| API request | requests | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |");
  for (const r of result.apiByRoute) console.log(`| ${r.route} | ${r.requests} | ${r.p50} | ${r.p99} |`);
  // bench = this process: both load generators (250 connections), the WebSocket bridge; pg = the
  // bench database's backends and pgbouncer; other = transcoders, wrangler; rest = everything else.
  if (result.cpu) console.log(`\nCPU during the load, % of all ${os.cpus().length} cores: ${formatShares(result.cpu)}; workerd's busiest thread ${result.workerdThread?.toFixed(0)} % of one core`);
  const v = result.views;
  console.log(`views: ${v.acknowledged} acknowledged, ${v.stored} of them stored, ${v.duplicates} duplicates, view_count ${v.viewCount === -1 ? "MISMATCH" : "matches rows"}`);
  if (v.stored !== v.acknowledged || v.duplicates > 0 || v.viewCount === -1 || result.media.failed + result.api.failed > 0) process.exitCode = 1;
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
