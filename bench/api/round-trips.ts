// Database round trips per route, counted by the latency relay (scripts/stack/db-relay.ts), not
// guessed: each route is requested one at a time and the relay's counters are read around it.
// Anonymous reads are counted on a cache miss (a fresh query string) and warm (served from the
// edge cache); signed-in ones go to the database every time.
// The Worker reaches Postgres through pgbouncer next to the database (Neon's pooled endpoint);
// --pool-at-edge moves the pooler to the Worker's side of the distance (how Hyperdrive pools);
// --hyperdrive takes production's path: the HYPERDRIVE binding (a pipelined node-postgres
// connection), which wrangler dev connects straight to the database through the relay, so its
// counts include the connection's startup (1); with --pool-at-edge too, a pgbouncer on the
// Worker's side keeps warm connections across the distance, as Hyperdrive does.
//   node bench/api/round-trips.ts [--latency 40] [--repeat 5] [--pool-at-edge] [--hyperdrive]
import { rm } from "node:fs/promises";
import pg from "pg";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator } from "../../tests/support/api-calls.ts";
import { benchStateDir } from "../state-dir.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const latency = arg("latency", 40);
const repeat = arg("repeat", 5);

const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dir = await benchStateDir("edge-video-bench-rt-");
const databaseUrl = await recreateDatabase(server, "edge_video_bench_rt");
const hyperdrive = process.argv.includes("--hyperdrive");
const poolAtEdge = process.argv.includes("--pool-at-edge");
const stack = await startStack({ stateDir: dir, databaseUrl, build: false, sweepIntervalMs: 0, dbLatencyMs: latency,
  dbDriver: hyperdrive ? "hyperdrive" : "neon", dbPooler: hyperdrive && !poolAtEdge ? undefined : "pgbouncer", dbPoolerSide: poolAtEdge ? "edge" : "database" });
const relay = stack.dbRelay!;
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();

type Row = { route: string; who: string; connections: number; roundTrips: number; p50: number; cache: string };

async function count(route: string, who: string, url: () => string, headers: Record<string, string> = {}): Promise<Row> {
  const samples: { connections: number; roundTrips: number; ms: number; cache: string }[] = [];
  for (let i = 0; i < repeat; i++) {
    const before = relay.stats();
    const started = performance.now();
    const res = await fetch(stack.origin + url(), { headers });
    await res.arrayBuffer();
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`${route}: ${res.status}`);
    // Connections are closed after the response (waitUntil): let their last messages pass.
    await new Promise((r) => setTimeout(r, latency + 30));
    const after = relay.stats();
    samples.push({ connections: after.connections - before.connections, roundTrips: after.roundTrips - before.roundTrips, ms, cache: res.headers.get("x-cache") ?? "-" });
  }
  const median = <T,>(xs: T[], key: (x: T) => number) => xs.map(key).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    route,
    who,
    connections: median(samples, (s) => s.connections),
    roundTrips: median(samples, (s) => s.roundTrips),
    p50: Math.round(median(samples, (s) => s.ms)),
    cache: [...new Set(samples.map((s) => s.cache))].join("/"),
  };
}

try {
  const creator = await signUpCreator(stack.origin, "Round trip creator");
  const fan = await signUpCreator(stack.origin, "Round trip fan");
  const { rows: creatorRows } = await db.query("select id from creators where user_id = $1", [creator.userId]);
  const creatorId = creatorRows[0].id as string;
  await api(stack.origin, `/api/creators/${creatorId}/follow`, { method: "PUT", token: fan.token });
  await db.query(
    `insert into videos (creator_id, title, description, visibility, status, playable, published_at, duration_seconds, width, height, master_key)
     select $1::uuid, 'Round trip video ' || g || ' kestrel', 'about kestrel', 'public', 'ready', true, now() - (g || ' seconds')::interval, 60, 1280, 720, ''
     from generate_series(1, 50) g`,
    [creatorId],
  );
  const videoId = (await db.query("select id from videos order by published_at desc limit 1")).rows[0].id as string;
  const bearer = { authorization: `Bearer ${fan.token}` };
  const cookie = { cookie: `access_token=${fan.token}` };
  let n = 0;
  const fresh = (p: string) => () => `${p}${p.includes("?") ? "&" : "?"}rt=${++n}`;
  const same = (p: string) => () => p;

  const rows: Row[] = [];
  // The floor: a route that touches neither the database nor the cache, on this machine now.
  rows.push(await count("GET /api/ping", "anyone", same("/api/ping")));
  const anonymous: [string, string][] = [
    ["GET /api/videos?sort=latest", "/api/videos?sort=latest"],
    ["GET /api/videos/:id", `/api/videos/${videoId}`],
    ["GET /api/creators/:id/videos", `/api/creators/${creatorId}/videos`],
    ["GET /api/search?q=kestrel", "/api/search?q=kestrel"],
    ["GET /", "/"],
    ["GET /watch/:id", `/watch/${videoId}`],
  ];
  for (const [route, p] of anonymous) {
    rows.push(await count(route, "anonymous, miss", fresh(p)));
    await fetch(stack.origin + p).then((r) => r.arrayBuffer());
    rows.push(await count(route, "anonymous, warm", same(p)));
  }
  rows.push(await count("GET /api/feed/following", "signed in", same("/api/feed/following"), bearer));
  rows.push(await count("GET /api/me", "signed in", same("/api/me"), bearer));
  rows.push(await count("GET /api/videos/:id", "signed in", same(`/api/videos/${videoId}`), bearer));
  rows.push(await count("GET /", "signed in", same("/"), cookie));
  rows.push(await count("GET /watch/:id", "signed in", same(`/watch/${videoId}`), cookie));

  const pooler = poolAtEdge ? "pooler at the edge" : hyperdrive ? "no pooler" : "pooler next to the database";
  const dataPath = `${hyperdrive ? "HYPERDRIVE binding (pipelined)" : "Neon driver"}, ${pooler}`;
  console.log(`\nDB_LATENCY_MS=${latency} (per round trip), ${dataPath}, median of ${repeat} sequential requests\n`);
  console.log("| route | viewer | connections | round trips | p50 ms | x-cache |");
  console.log("| --- | --- | ---: | ---: | ---: | --- |");
  for (const r of rows) console.log(`| ${r.route} | ${r.who} | ${r.connections} | ${r.roundTrips} | ${r.p50} | ${r.cache} |`);
} finally {
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
