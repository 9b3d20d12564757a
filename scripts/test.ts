// `npm test`: prepares the real local services (Postgres database, WebSocket bridge, transcoder
// process, web build), runs every suite, checks the production bundle builds, and prints one
// closing line with the totals.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../db/migrate.ts";
import { checkPostgres, recreateDatabase } from "./stack/database.ts";
import { freePort, waitFor } from "./stack/ports.ts";
import { runToEnd, spawnManaged } from "./stack/processes.ts";
import { root } from "./stack/start-stack.ts";
import { ensureFfmpeg } from "./stack/system-tools.ts";
import { latencyFromEnv, startDbRelay } from "./stack/db-relay.ts";
import { startWsBridge } from "./stack/ws-bridge.ts";
import { hyperdriveLocalUrl } from "./stack/hyperdrive-local.ts";

const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const serverUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const only = process.argv.slice(2); // e.g. `npm test -- worker stack`
const projects = only.length ? only : ["types", "worker", "transcoder", "stack", "e2e", "deploy"];

ensureFfmpeg();
try {
  await checkPostgres(serverUrl);
} catch (err) {
  console.error(`Tests need a Postgres server at ${serverUrl} (set TEST_POSTGRES_URL to use another): ${(err as Error).message}`);
  process.exit(1);
}

const scratch = await mkdtemp(path.join(os.tmpdir(), "edge-video-test-"));
const results = { passed: 0, failed: 0, skipped: 0 };
let failedProjects: string[] = [];

// TEST_FILTER="transcode-dispatch comments" runs only the test files whose path contains one of the words.
const fileFilter = (process.env.TEST_FILTER ?? "").split(/\s+/).filter(Boolean);

async function runVitest(project: string, env: Record<string, string>) {
  const report = path.join(scratch, `${project}.json`);
  try {
    await runToEnd(bin("vitest"), ["run", "--project", project, "--passWithNoTests", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...fileFilter], {
      cwd: root,
      env: { ...env, TEST_POSTGRES_URL: serverUrl },
    });
  } catch {
    failedProjects.push(project);
  }
  try {
    const json = JSON.parse(await readFile(report, "utf8"));
    results.passed += json.numPassedTests;
    results.failed += json.numFailedTests;
    results.skipped += json.numPendingTests + json.numTodoTests;
  } catch {
    results.failed += 1; // the run died before reporting
  }
}

await runToEnd(bin("react-router"), ["build"], { cwd: root });

if (projects.includes("types")) {
  // Strict types across the Worker, web, scripts and transcoder (each has its own tsconfig).
  try {
    await runToEnd(bin("react-router"), ["typegen"], { cwd: root });
    for (const config of ["tsconfig.worker.json", "tsconfig.node.json", "tsconfig.web.json", "transcode-container/tsconfig.json", "tests/transcoder/tsconfig.json"]) {
      await runToEnd(bin("tsc"), ["-p", config], { cwd: root });
    }
    results.passed += 1;
    console.log("typecheck: passed");
  } catch {
    results.failed += 1;
    failedProjects.push("types");
  }
}

if (projects.includes("worker")) {
  const databaseUrl = await recreateDatabase(serverUrl, `edge_video_test_worker${process.env.TEST_DB_SUFFIX ?? ""}`);
  await applyMigrations(databaseUrl);
  // A second database for the EXPLAIN suite, which seeds 100k videos.
  const explainUrl = await recreateDatabase(serverUrl, `edge_video_test_explain${process.env.TEST_DB_SUFFIX ?? ""}`);
  await applyMigrations(explainUrl);
  // DB_LATENCY_MS puts the suite's database behind the latency relay (a distant database).
  const latencyMs = latencyFromEnv();
  const relay = latencyMs === undefined ? null : await startDbRelay(databaseUrl, latencyMs);
  // The Worker's HYPERDRIVE binding (worker/db/hyperdrive.ts) reaches the same database through a
  // relay 100 ms away, so queries the Worker sends together overlap however loaded this machine
  // is, and tests/worker/one-connection.test.ts counts the round trips a page costs.
  const hyperdriveRelay = await startDbRelay(relay?.url ?? databaseUrl, 100);
  const bridge = await startWsBridge();
  const transcoderPort = await freePort();
  const transcoder = spawnManaged("transcoder", process.execPath, [path.join(root, "transcode-container/src/main.ts")], {
    cwd: root,
    logFile: path.join(scratch, "transcoder.log"),
    env: {
      HOST: "127.0.0.1",
      PORT: String(transcoderPort),
      // Tasks handed out by the suite fail slowly (an unreachable source is retried for seconds):
      // room for many, so one test's hand-off never finds the slot another test left busy.
      TASK_SLOTS: "16",
      S3_ENDPOINT: "http://127.0.0.1:9/cdn-cgi/local/r2/s3",
      S3_BUCKET: "edge-video-media",
      S3_ACCESS_KEY_ID: "devaccesskey0000",
      S3_SECRET_ACCESS_KEY: "devsecretkey00000000000000000000",
      CALLBACK_SECRET: "test-callback-secret-0123456789abcdef",
      CALLBACK_ORIGIN: "http://127.0.0.1:9", // the worker suite's PUBLIC_ORIGIN
      WORK_DIR: path.join(scratch, "transcoder-work"),
    },
  });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${transcoderPort}/health`)).ok, "the transcoder", 30_000);
    await runVitest("worker", {
      TEST_DATABASE_URL: relay?.url ?? databaseUrl,
      TEST_EXPLAIN_DATABASE_URL: explainUrl,
      TEST_NEON_WS_PROXY: bridge.proxy,
      TEST_TRANSCODER_URL: `http://127.0.0.1:${transcoderPort}`,
      TEST_HYPERDRIVE_URL: hyperdriveLocalUrl(hyperdriveRelay.url),
    });
  } finally {
    await transcoder.stop();
    await bridge.stop();
    await hyperdriveRelay.stop();
    await relay?.stop();
  }
}

for (const project of ["transcoder", "stack", "e2e"]) {
  if (projects.includes(project)) await runVitest(project, { TEST_DATABASE_URL: "-", TEST_EXPLAIN_DATABASE_URL: "-", TEST_NEON_WS_PROXY: "-", TEST_TRANSCODER_URL: "-" });
}

if (projects.includes("deploy")) {
  // README "Deploying" followed offline: wrangler.toml through wrangler's reader and
  // `wrangler deploy --dry-run` (no Docker), the R2 CORS file through `wrangler r2 bucket cors
  // set` against a loopback stand-in for the API, and the Docker build context (tests/deploy).
  await runVitest("deploy", { TEST_DATABASE_URL: "-", TEST_EXPLAIN_DATABASE_URL: "-", TEST_NEON_WS_PROXY: "-", TEST_TRANSCODER_URL: "-" });
}

await rm(scratch, { recursive: true, force: true });
if (failedProjects.length) console.log(`failed suites: ${failedProjects.join(", ")}`);
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exit(results.failed > 0 || failedProjects.length > 0 ? 1 : 0);
