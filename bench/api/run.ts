// API benchmark on the local stack (wrangler dev + Postgres through the Neon driver, the bridge and
// pgbouncer; DB_LATENCY_MS adds a distance). Anonymous public reads are answered by the edge cache
// after the first request (x-cache: HIT); the feed and /api/me are signed in and reach the database.
// Prints requests/s and latency at 32 concurrent clients per endpoint, as ratios against a
// trivial Hono route in the same Worker; view ingestion (events/s, none lost); and feed latency
// at 1M seeded videos against 1k. --hyperdrive takes production's data path instead (the HYPERDRIVE
// binding: node-postgres over a TCP socket, pipelined; wrangler dev connects it to pgbouncer as
// Hyperdrive's pool stands in front of Neon). Each route is first driven unmeasured for --warmup seconds
// (the same 32 connections: the isolate's code compiled, the edge cache filled, the pooler's
// connections open), and that warm-up's p99 is printed beside the measured one.
//   node bench/api/run.ts [--seconds 10] [--warmup 2] [--big 1000000] [--direct] [--signed-in N] [--hyperdrive]
import { PutObjectCommand } from "@aws-sdk/client-s3";
import autocannon from "autocannon";
import { rm } from "node:fs/promises";
import os from "node:os";
import pg from "pg";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { signUpCreator } from "../../tests/support/api-calls.ts";
import { localS3 } from "../../tests/support/s3-client.ts";
import { cpuShares, cpuSnapshot, formatShares, platformMsPerRequest, workerMsPerRequest } from "../cpu-by-process.ts";
import { seedFollows } from "./seed-follows.ts";
import { benchStateDir } from "../state-dir.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg("seconds", 10);
const warmupSeconds = arg("warmup", 2);
const bigCount = arg("big", 1_000_000);
const rounds = arg("signed-in", 0);
const connections = 32;

const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dir = await benchStateDir("edge-video-bench-api-");
const databaseName = "edge_video_bench_api";
const databaseUrl = await recreateDatabase(server, databaseName);
// The Worker reaches Postgres through pgbouncer (transaction mode), as production reaches Neon's
// pooled endpoint; --direct measures a fresh Postgres backend per request instead.
const hyperdrive = process.argv.includes("--hyperdrive");
const stack = await startStack({ stateDir: dir, databaseUrl, build: false, sweepIntervalMs: 0, dbPooler: process.argv.includes("--direct") ? undefined : "pgbouncer",
  dbDriver: hyperdrive ? "hyperdrive" : "neon" });
console.log(`data path: ${hyperdrive ? "HYPERDRIVE binding (node-postgres, pipelined)" : "Neon driver (WebSocket bridge)"}${process.argv.includes("--direct") ? ", no pooler" : ", pgbouncer"}`);
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();

async function seedVideos(creatorIds: string[], count: number, word: string) {
  // Spread over creators; newest first by published_at.
  await db.query(
    `insert into videos (creator_id, title, description, visibility, status, playable, published_at, duration_seconds, width, height, master_key)
     select ($1::uuid[])[1 + (g % array_length($1::uuid[], 1))], 'Bench video ' || g || ' ' || $3, 'about ' || $3, 'public', 'ready', true,
            now() - (g || ' seconds')::interval, 60, 1280, 720, ''
     from generate_series(1, $2::int) g`,
    [creatorIds, count, word],
  );
  await db.query("analyze videos");
}

async function measure(title: string, url: string, opts: Partial<autocannon.Options> = {}) {
  // Status codes other than 2xx, and the edge cache's answers (x-cache), as seen by the clients.
  const seen: Record<string, number> = {};
  const warmup = warmupSeconds > 0 ? await autocannon({ url, connections, duration: warmupSeconds, ...opts }) : undefined;
  const cpuBefore = await cpuSnapshot(databaseName);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...opts,
    setupClient: (client) => {
      // autocannon hands on the HTTP parser's record: headers as a flat [name, value, …] list.
      client.on("headers", (info) => {
        const flat = (info as unknown as { headers?: string[] }).headers ?? [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          if (flat[i]!.toLowerCase() === "x-cache") seen[flat[i + 1]!] = (seen[flat[i + 1]!] ?? 0) + 1;
        }
      });
      client.on("response", (statusCode: number) => {
        if (statusCode >= 300) seen[statusCode] = (seen[statusCode] ?? 0) + 1;
      });
      // Failures without a status (connection errors, timeouts), by their error code.
      const events = client as unknown as NodeJS.EventEmitter;
      events.on("connError", (err: NodeJS.ErrnoException) => {
        const code = err.code ?? err.message;
        seen[code] = (seen[code] ?? 0) + 1;
      });
      events.on("timeout", () => void (seen.timeout = (seen.timeout ?? 0) + 1));
    },
  });
  const shares = cpuShares(cpuBefore, await cpuSnapshot(databaseName));
  const cpu = formatShares(shares);
  const cpuMs = platformMsPerRequest(shares, seconds, result.requests.total);
  const workerMs = workerMsPerRequest(shares, seconds, result.requests.total);
  const errors = result.errors + result.timeouts + result.non2xx;
  const detail = Object.entries(seen).map(([k, n]) => `${k} ${n}`).join(", ");
  return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, warmupP99: warmup?.latency.p99, errors, detail, cpu, cpuMs, workerMs, rest: shares["rest of the machine"] };
}

try {
  // 50 creators, one viewer following all of them (seeded in the database: the API's follow rate
  // limit would refuse all but 30), 1k videos.
  // In batches: 50 password hashes at once starve the Worker past its database connect timeout.
  const creators = [];
  for (let i = 0; i < 50; i += 10) {
    creators.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => signUpCreator(stack.origin, `Bench creator ${i + j}`)))));
  }
  const creatorIds = (await db.query("select id from creators")).rows.map((r) => r.id as string);
  const fan = await signUpCreator(stack.origin, "Bench fan");
  const followed = await seedFollows(db, fan.userId, creatorIds);
  await seedVideos(creatorIds, 1000, "kestrel");
  const { rows } = await db.query("select id from videos limit 1");
  const videoId = rows[0].id as string;
  const segmentKey = `videos/${videoId}/720p/seg_00001.m4s`;
  await localS3(stack.s3).send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: segmentKey, Body: new Uint8Array(512 * 1024) }));

  const signedIn = { headers: { authorization: `Bearer ${fan.token}` } };
  if (rounds > 0) {
    // --signed-in N: only the ceiling and the two signed-in routes, N times in turn, each ratio
    // against the ceiling measured just before it: on a shared machine the background changes
    // between measurements, and the full table's one ceiling can be far from a late route's.
    // /api/health opens the request's connection and sends `select 1`: the floor under any route
    // that reaches the database, so the rest of a route's distance from ping is its own work.
    console.log("\n| round | ping req/s | feed req/s | × ping | feed CPU ms/req (× ping); workerd alone | /api/me req/s | × ping | /api/me CPU ms/req (× ping); workerd alone | /api/health (connection + select 1) req/s | × ping | CPU ms/req | rest of the machine % (ping, feed, me, health) |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (let round = 1; round <= rounds; round++) {
      const ping = await measure("ping", `${stack.origin}/api/ping`);
      const feed = await measure("feed", `${stack.origin}/api/feed/following`, signedIn);
      const me = await measure("me", `${stack.origin}/api/me`, signedIn);
      const health = await measure("health", `${stack.origin}/api/health`);
      const ratio = (r: typeof ping) => `${(r.rps / ping.rps).toFixed(2)}`;
      const cpu = (r: typeof ping) => `${r.cpuMs.toFixed(2)} (${(ping.cpuMs / r.cpuMs).toFixed(2)}); workerd ${r.workerMs.toFixed(2)} (${(ping.workerMs / r.workerMs).toFixed(2)})`;
      console.log(`| ${round} | ${ping.rps.toFixed(0)} | ${feed.rps.toFixed(0)} | ${ratio(feed)} | ${cpu(feed)} | ${me.rps.toFixed(0)} | ${ratio(me)} | ${cpu(me)} | ${health.rps.toFixed(0)} | ${ratio(health)} | ${health.cpuMs.toFixed(2)} | ${[ping, feed, me, health].map((r) => r.rest.toFixed(0)).join(", ")} |`);
    }
  } else {
    const results = [];
    const ceiling = await measure("GET /api/ping (ceiling)", `${stack.origin}/api/ping`);
    results.push(ceiling);
    results.push(await measure("GET /api/videos?sort=latest", `${stack.origin}/api/videos?sort=latest`));
    results.push(await measure("GET /api/videos/:id", `${stack.origin}/api/videos/${videoId}`));
    results.push(await measure("GET /api/creators/:id/videos", `${stack.origin}/api/creators/${creatorIds[0]}/videos`));
    results.push(await measure("GET /api/search?q=kestrel", `${stack.origin}/api/search?q=kestrel`));
    results.push(await measure("GET /media segment (512 KiB)", `${stack.origin}/media/${segmentKey}`));
    const feedSmall = await measure("GET /api/feed/following @1k", `${stack.origin}/api/feed/following`, { headers: { authorization: `Bearer ${fan.token}` } });
    results.push(feedSmall);
    results.push(await measure("GET /api/me (signed in)", `${stack.origin}/api/me`, { headers: { authorization: `Bearer ${fan.token}` } }));

    // View ingestion: every request a distinct anonymous viewer, so every accepted view counts. A
    // report needs the token the metadata hands out and cannot claim more watch time than has
    // passed since it was issued: take one token and wait out the view threshold first.
    const meta = (await (await fetch(`${stack.origin}/api/videos/${videoId}`)).json()) as { viewToken?: string; durationSeconds: number | null };
    if (!meta.viewToken) throw new Error("the video's metadata carries no viewToken");
    const watchedSeconds = Math.min(10, (meta.durationSeconds ?? 20) / 2);
    await new Promise((r) => setTimeout(r, watchedSeconds * 1000 + 500));
    let ip = 0;
    const before = Number((await db.query("select count(*) from views")).rows[0].count);
    const viewCpuBefore = await cpuSnapshot(databaseName);
    const viewRun = await autocannon({
      url: `${stack.origin}/api/videos/${videoId}/views`,
      connections,
      duration: seconds,
      method: "POST",
      body: JSON.stringify({ watchedSeconds, viewToken: meta.viewToken }),
      requests: [
        {
          setupRequest: (req) => {
            ip++;
            return { ...req, headers: { ...req.headers, "content-type": "application/json", "cf-connecting-ip": `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` } };
          },
        },
      ],
    });
    const viewShares = cpuShares(viewCpuBefore, await cpuSnapshot(databaseName));
    const viewCpu = formatShares(viewShares);
    const accepted = viewRun["2xx"];
    let stored = 0;
    for (let i = 0; i < 120; i++) {
      stored = Number((await db.query("select count(*) from views")).rows[0].count) - before;
      if (stored >= accepted) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    results.push({ title: "POST /api/videos/:id/views", rps: viewRun.requests.average, p50: viewRun.latency.p50, p99: viewRun.latency.p99, warmupP99: undefined, errors: viewRun.errors + viewRun.non2xx, detail: "", cpu: viewCpu,
      cpuMs: platformMsPerRequest(viewShares, seconds, viewRun.requests.total), workerMs: workerMsPerRequest(viewShares, seconds, viewRun.requests.total) });

    // Feed latency at scale: the same fan, with bigCount videos in the table.
    await seedVideos(creatorIds, bigCount - 1000, "osprey");
    const feedBig = await measure(`GET /api/feed/following @${bigCount / 1000}k`, `${stack.origin}/api/feed/following`, { headers: { authorization: `Bearer ${fan.token}` } });
    results.push(feedBig);

    console.log(`\n${connections} connections, ${seconds} s each, ${os.cpus().length} cores; the feed's viewer follows ${followed} of ${creatorIds.length} creators\n`);
    console.log(`| endpoint | req/s | × ceiling | p50 ms | p99 ms | p99 × ceiling's | warm-up p99 ms (first ${warmupSeconds} s) | errors | x-cache / status | CPU % of the machine | platform CPU ms/req | × ceiling by CPU | workerd CPU ms/req | × ceiling by workerd CPU |`);
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(`| ${r.title} | ${r.rps.toFixed(0)} | ${(r.rps / ceiling.rps).toFixed(2)} | ${r.p50} | ${r.p99} | ${(r.p99 / ceiling.p99).toFixed(2)} | ${r.warmupP99 ?? "–"} | ${r.errors} | ${r.detail} | ${r.cpu} | ${r.cpuMs.toFixed(2)} | ${(ceiling.cpuMs / r.cpuMs).toFixed(2)} | ${r.workerMs.toFixed(2)} | ${(ceiling.workerMs / r.workerMs).toFixed(2)} |`);
    }
    console.log("\nCPU: bench = this process (load generator, WebSocket bridge, latency relay); pg = the bench database's Postgres backends and pgbouncer; other = transcoders; rest = everything else on the machine. 100 % = all cores. Platform CPU = workerd + pg per request; its ratio to the ceiling's is the throughput ratio the routes would have with the machine to themselves. workerd CPU leaves the database out, as production's Worker does (its database runs on Neon's machines).");
    // autocannon stops counting at the deadline while up to `connections` requests are still in
    // flight; those are accepted too, so stored may exceed the counted 2xx by at most that much.
    const lost = Math.max(0, accepted - stored);
    console.log(`\nview ingestion: ${accepted} acknowledged (202) in ${seconds} s, ${stored} stored: ${lost === 0 ? "none lost" : `${lost} LOST`}; ${(accepted / seconds).toFixed(0)} events/s`);
    console.log(`feed p50 at ${bigCount / 1000}k videos vs 1k: ${(feedBig.p50 / feedSmall.p50).toFixed(2)}× (target ≤ 1.5×)`);
    void creators;
  }
} finally {
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
