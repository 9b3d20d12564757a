// Where the Worker spends its CPU on a route under load: a V8 CPU profile taken through wrangler
// dev's DevTools port while autocannon holds 32 connections on the route, summed by self time
// per function and per package (jose, drizzle, the Neon driver, hono, the app's own code…).
//   node bench/api/profile.ts [--seconds 10] [--route /api/feed/following] [--anonymous] [--hyperdrive]
//     [--views [--addresses N]]   (POST view reports instead, as bench/load sends them)
//     [--keep-bundle FILE]   (a copy of the bundled Worker the line numbers refer to)
import autocannon from "autocannon";
import { existsSync } from "node:fs";
import { copyFile, readFile, readdir, rm, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import pg from "pg";
import WebSocket from "ws";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { freePort } from "../../scripts/stack/ports.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { signUpCreator } from "../../tests/support/api-calls.ts";
import { seedFollows } from "./seed-follows.ts";
import { cpuShares, cpuSnapshot, formatShares, platformMsPerRequest } from "../cpu-by-process.ts";
import { benchStateDir } from "../state-dir.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const seconds = Number(arg("seconds", "10"));
const route = arg("route", "/api/feed/following");

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** Minimal DevTools protocol client: one WebSocket, requests matched to answers by id. */
async function devtools(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  // wrangler lists the user Worker first; its own internal Workers come after.
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on("message", (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve as (r: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * The source file each line of the bundle came from, from the `// path` comment esbuild writes
 * above every module it inlines: frames of a bundle whose URL names no source (wrangler dev's
 * index.js) are attributed by line.
 */
function bundleSources(text: string): (line: number) => string | undefined {
  const starts: [number, string][] = [];
  text.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:\.\.\/)*[\w@.-][^\s]*\.(?:[cm]?js|tsx?))$/.exec(l);
    if (m) starts.push([i, m[1]!]);
  });
  return (line) => {
    let lo = 0, hi = starts.length - 1, found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![0] <= line) (found = starts[mid]![1]), (lo = mid + 1);
      else hi = mid - 1;
    }
    return found;
  };
}

/** wrangler dev's bundle, newest first, while the stack runs. */
async function devBundle(): Promise<string | null> {
  const tmp = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../.wrangler/tmp");
  const dirs = await readdir(tmp).catch(() => [] as string[]);
  const found = await Promise.all(dirs.map(async (d) => {
    const file = path.join(tmp, d, "index.js");
    return existsSync(file) ? { file, at: (await stat(file)).mtimeMs } : null;
  }));
  return found.filter((f) => f !== null).sort((a, b) => b.at - a.at)[0]?.file ?? null;
}

let sourceOf: (line: number) => string | undefined = () => undefined;

/** A package or area of the bundle a frame belongs to, from its source URL or its line in the bundle. */
function area(rawUrl: string, fn: string, line: number): string {
  const url = rawUrl.endsWith("index.js") ? (sourceOf(line) ?? rawUrl) : rawUrl;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (/(^|\/)worker\//.test(url)) return "worker/ (app)";
  if (/(^|\/)web\//.test(url)) return "web/ (app)";
  if (!url) return fn === "(garbage collector)" || fn === "(program)" || fn === "(idle)" ? fn : "(native / runtime)";
  return url.replace(/^.*\//, "");
}

function summarise(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  // Idle time is not work: shares are of the time the isolate was busy.
  for (const [id] of self) if (byId.get(id)!.callFrame.functionName === "(idle)") self.delete(id);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const source = url.endsWith("index.js") ? sourceOf(lineNumber)?.replace(/^(\.\.\/)*(node_modules\/)?/, "") : undefined;
    const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\//, "")}:${lineNumber + 1}${source ? ` (${source})` : ""}`;
    byFn.set(name, (byFn.get(name) ?? 0) + us);
    const a = area(url, functionName, lineNumber);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return { total, byArea: top(byArea, 20), byFn: top(byFn, 30) };
}

const dir = await benchStateDir("edge-video-bench-profile-");
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const databaseName = "edge_video_bench_profile";
const databaseUrl = await recreateDatabase(server, databaseName);
const inspectorPort = await freePort();
const stack = await startStack({ stateDir: dir, databaseUrl, build: false, sweepIntervalMs: 0, dbPooler: "pgbouncer", inspectorPort,
  dbDriver: process.argv.includes("--hyperdrive") ? "hyperdrive" : "neon" });
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
try {
  // The feed of bench/api/run.ts: 50 creators, all followed (seeded: seed-follows.ts), 1k videos.
  const creators = [];
  for (let i = 0; i < 50; i += 10) {
    creators.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => signUpCreator(stack.origin, `Profile creator ${i + j}`)))));
  }
  const creatorIds = (await db.query("select id from creators")).rows.map((r) => r.id as string);
  const fan = await signUpCreator(stack.origin, "Profile fan");
  await seedFollows(db, fan.userId, creatorIds);
  await db.query(
    `insert into videos (creator_id, title, description, visibility, status, playable, published_at, duration_seconds, width, height, master_key)
     select ($1::uuid[])[1 + (g % array_length($1::uuid[], 1))], 'Profile video ' || g, 'about', 'public', 'ready', true, now() - (g || ' seconds')::interval, 60, 1280, 720, ''
     from generate_series(1, 1000) g`,
    [creatorIds],
  );
  const headers = process.argv.includes("--anonymous") ? {} : { authorization: `Bearer ${fan.token}` };
  const views = process.argv.includes("--views") ? await viewReports() : null;
  const url = `${stack.origin}${views?.route ?? route}`;
  const load = (duration: number) => autocannon({ url, connections: 32, duration, headers, ...views?.options });
  // Warm up (JIT, the first connections), then profile a steady run.
  await load(2);
  const tools = await devtools(inspectorPort);
  await tools.send("Profiler.enable");
  await tools.send("Profiler.setSamplingInterval", { interval: 200 });
  await tools.send("Profiler.start");
  const cpuBefore = await cpuSnapshot(databaseName);
  const run = await load(seconds);
  const shares = cpuShares(cpuBefore, await cpuSnapshot(databaseName));
  const { profile } = await tools.send<{ profile: Profile }>("Profiler.stop");
  tools.close();
  const running = await devBundle();
  if (running) sourceOf = bundleSources(await readFile(running, "utf8"));
  const { total, byArea, byFn } = summarise(profile);
  // The bundle the line numbers refer to, kept for reading them (--keep-bundle FILE).
  const keep = arg("keep-bundle", "");
  const named = profile.nodes.map((n) => n.callFrame.url).find((u) => u.endsWith("index.js"));
  const bundle = named && existsSync(named.startsWith("file:") ? fileURLToPath(named) : named) ? named : running ?? named;
  if (keep) {
    if (bundle && existsSync(bundle.startsWith("file:") ? fileURLToPath(bundle) : bundle)) await copyFile(bundle.startsWith("file:") ? fileURLToPath(bundle) : bundle, keep);
    else console.log(`bundle not found at ${bundle}`);
  }
  const requests = run.requests.total;
  console.log(`\n${views ? `POST ${views.route} (${views.addresses})` : route}: ${run.requests.average.toFixed(0)} req/s, p50 ${run.latency.p50} ms, ${run.non2xx + run.errors} errors; `
    + `the Worker's isolate was busy ${(total / 1000).toFixed(0)} ms of ${seconds * 1000} (≈ ${(total / 1000 / requests).toFixed(2)} ms per request)`);
  // The Worker's profile leaves out Postgres and pgbouncer: what they spent per request, beside it.
  console.log(`CPU % of the machine (profiler on): ${formatShares(shares)}; platform ${platformMsPerRequest(shares, seconds, requests).toFixed(2)} ms per request`);
  console.log("\nself time by package / area:");
  console.log(byArea.join("\n"));
  console.log("\nself time by function:");
  console.log(byFn.join("\n"));
  void creators;

  /**
   * View reports as bench/api/run.ts and bench/load send them: anonymous, with the metadata's view
   * token, each from a new client address (so each meets a rate-limit Durable Object of its own),
   * or with --addresses N cycling through N of them (objects reused once each has been met).
   */
  async function viewReports() {
    const { rows } = await db.query("select id from videos limit 1");
    const videoId = rows[0].id as string;
    const meta = (await (await fetch(`${stack.origin}/api/videos/${videoId}`)).json()) as { viewToken?: string; durationSeconds: number | null };
    if (!meta.viewToken) throw new Error("the video's metadata carries no viewToken");
    const watchedSeconds = Math.min(10, (meta.durationSeconds ?? 20) / 2);
    await new Promise((r) => setTimeout(r, watchedSeconds * 1000 + 500));
    const cycle = Number(arg("addresses", "0"));
    let n = 0;
    const options: Partial<autocannon.Options> = {
      method: "POST",
      headers: {},
      requests: [{
        setupRequest: (req) => {
          const i = cycle > 0 ? n++ % cycle : n++;
          const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
          return { ...req, body: JSON.stringify({ watchedSeconds, viewToken: meta.viewToken }), headers: { ...req.headers, "content-type": "application/json", "cf-connecting-ip": ip } };
        },
      }],
    };
    return { route: `/api/videos/${videoId}/views`, options, addresses: cycle > 0 ? `${cycle} addresses in turn` : "a new address each" };
  }
} finally {
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
