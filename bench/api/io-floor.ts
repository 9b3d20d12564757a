// The runtime's floor under a database route (issue #12): what a request that opens a Workers
// socket, or makes one subrequest, can reach on this machine before it does any query work.
// A minimal Worker (./io-floor/worker.ts, no product code) under the same wrangler dev as the
// product: its trivial route as the ceiling, a socket opened and closed, 1–3 write→read turns
// with an echo server (node-postgres on a fresh connection makes 2: startup, then the query;
// then the Terminate and the close), and one fetch to a local HTTP server. Each route at 32
// connections, every round against the ceiling measured just before it; workerd's CPU per request
// and its busiest thread (the isolate runs JavaScript on one thread) beside each.
//   node bench/api/io-floor.ts [--seconds 8] [--warmup 2] [--rounds 3]
import autocannon from "autocannon";
import { readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { freePorts, waitFor } from "../../scripts/stack/ports.ts";
import { spawnManaged } from "../../scripts/stack/processes.ts";
import { root } from "../../scripts/stack/start-stack.ts";
import { busiestWorkerdThread, cpuShares, cpuSnapshot, workerMsPerRequest } from "../cpu-by-process.ts";
import { benchStateDir } from "../state-dir.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("seconds", 8);
const warmupSeconds = arg("warmup", 2);
const rounds = arg("rounds", 3);
const connections = 32;

const routes: { title: string; path: string }[] = [
  { title: "socket: open, close", path: "/socket?turns=0" },
  { title: "socket: 1 turn", path: "/socket?turns=1" },
  { title: "socket: 2 turns", path: "/socket?turns=2" },
  { title: "socket: 3 turns", path: "/socket?turns=3" },
  { title: "fetch: 1 subrequest", path: "/fetch" },
];

const [workerPort, echoPort, httpPort] = (await freePorts(3)) as [number, number, number];
// The other side plays the database: it answers at once and costs the Worker nothing.
const echo = net.createServer((socket) => socket.on("data", (chunk) => socket.write(chunk)).on("error", () => undefined));
const answer = JSON.stringify({ fields: [{ name: "?column?", dataTypeID: 23 }], rows: [["1"]], rowCount: 1, command: "SELECT" });
const httpServer = http.createServer((req, res) => {
  req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(answer));
});
await Promise.all([
  new Promise<void>((resolve) => echo.listen(echoPort, "127.0.0.1", resolve)),
  new Promise<void>((resolve) => httpServer.listen(httpPort, "127.0.0.1", resolve)),
]);

const dir = await benchStateDir("edge-video-bench-io-floor-");
// The product's compatibility date, so the runtime behaves as it does for the product.
const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(await readFile(path.join(root, "wrangler.toml"), "utf8"))![1]!;
const config = path.join(dir, "wrangler.toml");
await writeFile(config, `name = "io-floor"\nmain = "${path.join(root, "bench/api/io-floor/worker.ts")}"\ncompatibility_date = "${compatibilityDate}"\n`);
const wrangler = spawnManaged(
  "io-floor",
  path.join(root, "node_modules", ".bin", "wrangler"),
  ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(workerPort), "--persist-to", path.join(dir, "state"),
    "--show-interactive-dev-session=false", "--log-level", "warn", "--var", `ECHO_PORT:${echoPort}`, "--var", `HTTP_PORT:${httpPort}`],
  { cwd: dir, logFile: path.join(dir, "wrangler.log"), env: { WRANGLER_SEND_METRICS: "false" } },
);
const origin = `http://127.0.0.1:${workerPort}`;

type Row = { title: string; rps: number; p50: number; p99: number; workerMs: number; thread: number; errors: number };

async function measure(title: string, route: string): Promise<Row> {
  const url = origin + route;
  if (warmupSeconds > 0) await autocannon({ url, connections, duration: warmupSeconds });
  // No database here: the name matches no Postgres backend.
  const before = await cpuSnapshot("io-floor-has-no-database");
  const result = await autocannon({ url, connections, duration: seconds });
  const after = await cpuSnapshot("io-floor-has-no-database");
  const shares = cpuShares(before, after);
  return {
    title,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    workerMs: workerMsPerRequest(shares, seconds, result.requests.total),
    thread: busiestWorkerdThread(before, after),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const fmt = (row: Row, ceiling: Row) =>
  `${row.title.padEnd(22)} ${row.rps.toFixed(0).padStart(5)} req/s  ${(row.rps / ceiling.rps).toFixed(2)}× ping   p50 ${String(row.p50).padStart(3)} ms  p99 ${String(row.p99).padStart(4)} ms (${(row.p99 / ceiling.p99).toFixed(2)}× ping's)   workerd ${row.workerMs.toFixed(2)} ms/req, busiest thread ${row.thread.toFixed(0)} %${row.errors ? `   ${row.errors} ERRORS` : ""}`;

try {
  await waitFor(async () => (await fetch(`${origin}/ping`).then((r) => r.ok, () => false)), "wrangler dev (io-floor)", 120_000, 500);
  // Each route answers as it should before anything is measured.
  for (const { path: route } of routes) {
    const res = await fetch(origin + route);
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  }
  const ratios = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    console.log(`\nround ${round} of ${rounds} (32 connections, ${seconds} s each)`);
    for (const { title, path: route } of routes) {
      // The ceiling just before each route: the machine's background moves between measurements.
      const ceiling = await measure("ping", "/ping");
      const row = await measure(title, route);
      console.log(fmt(ceiling, ceiling));
      console.log(fmt(row, ceiling));
      ratios.set(title, [...(ratios.get(title) ?? []), row.rps / ceiling.rps]);
    }
  }
  console.log("\nrequests/s × ping, per round (min–max):");
  for (const [title, list] of ratios) {
    console.log(`  ${title.padEnd(22)} ${list.map((r) => r.toFixed(2)).join(", ")}   (${Math.min(...list).toFixed(2)}–${Math.max(...list).toFixed(2)})`);
  }
} finally {
  await wrangler.stop();
  echo.close();
  httpServer.close();
  await rm(dir, { recursive: true, force: true });
}
