// Brings the whole platform up on one machine: database (Postgres or embedded PGlite), the
// WebSocket bridge, the web build, the transcoder fleet and the Worker under `wrangler dev`
// (local R2 + its S3 API, Queues, Durable Objects), all on loopback. Used by `npm run dev` and
// by the test suites, so both exercise the same wiring.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../../db/migrate.ts";
import { startDatabase, type RunningDatabase } from "./database.ts";
import { latencyFromEnv, startDbRelay, type DbRelay } from "./db-relay.ts";
import { driverFromEnv, hyperdriveLocalUrl } from "./hyperdrive-local.ts";
import { poolerFromEnv, startPgbouncer } from "./pgbouncer.ts";
import { readDevVars } from "./dev-vars.ts";
import { freePort, waitFor } from "./ports.ts";
import { runToEnd, spawnManaged } from "./processes.ts";
import { startFleet, type Fleet } from "./transcoder-fleet.ts";
import { startWsBridge, type Bridge } from "./ws-bridge.ts";

export const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

export type StackOptions = {
  /** Port of the one origin (app, API, media, local S3). Default: a free port. */
  port?: number;
  /** Where PGlite, wrangler state, transcoder scratch space and logs go. */
  stateDir: string;
  /** Use this Postgres instead of an embedded PGlite. */
  databaseUrl?: string;
  /** Secrets file (KEY=VALUE). Default: .dev.vars.example (development-only values). */
  varsFile?: string;
  /** Extra or overriding Worker vars. */
  vars?: Record<string, string>;
  build?: boolean;
  echo?: boolean;
  /** How often to fire the cron handler locally; 0 disables. */
  sweepIntervalMs?: number;
  /** Transcoder processes (default TRANSCODERS or 2) and whether each is pinned to one core. */
  transcoders?: number;
  pinTranscoders?: boolean;
  /**
   * Round-trip time added between the Worker and the database (default: DB_LATENCY_MS). When
   * set, even to 0, the database is reached through a relay that also counts round trips.
   */
  dbLatencyMs?: number;
  /**
   * A transaction-mode pgbouncer between the Worker and Postgres, like Neon's pooled endpoint
   * (default: DB_POOLER). Ignored for PGlite.
   */
  dbPooler?: "pgbouncer";
  /**
   * Where the pooler sits: next to the database (Neon's pooled endpoint, the default), or at the
   * edge with the distance between it and the database (how Hyperdrive pools).
   */
  dbPoolerSide?: "database" | "edge";
  /**
   * How the Worker reaches the database (default: DB_DRIVER, else "neon"): the Neon driver
   * through the WebSocket bridge, or production's HYPERDRIVE binding, which wrangler dev connects
   * straight to the database (through the relay and pooler when asked for). Postgres only.
   */
  dbDriver?: "neon" | "hyperdrive";
  /** DevTools port of the Worker (bench/api/profile.ts takes CPU profiles through it). */
  inspectorPort?: number;
};


export type Stack = {
  origin: string;
  databaseUrl: string;
  databaseKind: RunningDatabase["kind"];
  /** The latency relay in front of the database, when one was asked for. */
  dbRelay: DbRelay | null;
  /** The first transcoder (every one answers the same API). */
  transcoderUrl: string;
  fleet: Fleet;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  vars: Record<string, string>;
  startTranscoder: () => Promise<void>;
  stopTranscoder: (signal?: "SIGKILL" | "SIGTERM") => Promise<void>;
  runSweeps: () => Promise<void>;
  stop: () => Promise<void>;
};

export async function startStack(opts: StackOptions): Promise<Stack> {
  const stateDir = path.resolve(opts.stateDir);
  await mkdir(path.join(stateDir, "logs"), { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    // Each part gets a bounded time to stop, so one stuck part cannot keep the rest running.
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.race([cleanup().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    }
  };
  try {
    const database = await startDatabase({ databaseUrl: opts.databaseUrl, pgliteDir: path.join(stateDir, "pglite") });
    cleanups.push(database.stop);
    await applyMigrations(database.url);

    const latencyMs = opts.dbLatencyMs ?? latencyFromEnv();
    // Worker → bridge → relay (the distance) → pooler (next to the database, as Neon's is) → Postgres.
    // With the pooler at the edge: Worker → bridge → pooler → relay → Postgres.
    let workerDatabaseUrl = database.url;
    let dbRelay: DbRelay | null = null;
    let poolerVars: Record<string, string> = {};
    const pooled = !!(opts.dbPooler ?? poolerFromEnv()) && database.kind === "postgres";
    if (pooled && opts.dbPoolerSide === "edge") {
      dbRelay = latencyMs === undefined ? null : await startDbRelay(database.url, latencyMs);
      const pooler = await startPgbouncer(dbRelay?.url ?? database.url);
      cleanups.push(async () => {
        await pooler.stop();
        await dbRelay?.stop();
      });
      workerDatabaseUrl = pooler.url;
      poolerVars = pooler.workerVars;
    } else {
      if (pooled) {
        const pooler = await startPgbouncer(database.url);
        cleanups.push(pooler.stop);
        workerDatabaseUrl = pooler.url;
        poolerVars = pooler.workerVars;
      }
      dbRelay = latencyMs === undefined ? null : await startDbRelay(workerDatabaseUrl, latencyMs);
      if (dbRelay) {
        cleanups.push(dbRelay.stop);
        workerDatabaseUrl = dbRelay.url;
      }
    }

    const hyperdrive = (opts.dbDriver ?? driverFromEnv()) === "hyperdrive";
    if (hyperdrive && database.kind !== "postgres") throw new Error("DB_DRIVER=hyperdrive needs Postgres (set DATABASE_URL), not PGlite");

    const bridge: Bridge = await startWsBridge();
    cleanups.push(bridge.stop);

    if (opts.build !== false) await runToEnd(bin("react-router"), ["build"], { cwd: root });

    const port = opts.port ?? (await freePort());
    const origin = `http://127.0.0.1:${port}`;
    const secrets = await readDevVars(opts.varsFile ?? path.join(root, ".dev.vars.example"));
    const vars: Record<string, string> = {
      ...secrets,
      DATABASE_URL: workerDatabaseUrl,
      NEON_WS_PROXY: bridge.proxy,
      ...poolerVars,
      S3_ENDPOINT: `${origin}/cdn-cgi/local/r2/s3`,
      PUBLIC_ORIGIN: origin,
      // Skips the production preflight: these are .dev.vars.example's values on plain http.
      ENVIRONMENT: "development",
      // Without the bridge the Worker takes its HYPERDRIVE binding (worker/db/connection.ts).
      ...(hyperdrive ? { NEON_WS_PROXY: "" } : {}),
      ...opts.vars,
    };
    const s3 = {
      endpoint: vars.S3_ENDPOINT!,
      bucket: vars.S3_BUCKET ?? "edge-video-media",
      accessKeyId: vars.S3_ACCESS_KEY_ID!,
      secretAccessKey: vars.S3_SECRET_ACCESS_KEY!,
    };

    const fleet = await startFleet({
      root,
      stateDir,
      count: opts.transcoders,
      pin: opts.pinTranscoders,
      echo: opts.echo,
      env: {
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_REGION: "auto",
        CALLBACK_SECRET: vars.CALLBACK_SECRET!,
        CALLBACK_ORIGIN: origin,
      },
    });
    cleanups.push(() => fleet.stop());
    vars.TRANSCODER_URL = fleet.urls.join(",");

    const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    const wrangler = spawnManaged(
      "worker",
      bin("wrangler"),
      [
        "dev",
        "--ip", "127.0.0.1",
        "--port", String(port),
        "--persist-to", path.join(stateDir, "wrangler"),
        "--test-scheduled",
        "--show-interactive-dev-session=false",
        "--log-level", opts.echo ? "info" : "warn",
        ...(opts.inspectorPort ? ["--inspector-port", String(opts.inspectorPort)] : []),
        ...varArgs,
      ],
      {
        cwd: root,
        echo: opts.echo,
        logFile: path.join(stateDir, "logs", "worker.log"),
        env: {
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_ACCOUNT_ID: "local-development",
          ...(hyperdrive ? { CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdriveLocalUrl(workerDatabaseUrl) } : {}),
        },
      },
    );
    cleanups.push(wrangler.stop);
    let wranglerExited = false;
    void wrangler.exited.then(() => (wranglerExited = true));
    await waitFor(async () => {
      if (wranglerExited) throw new Error("wrangler dev exited; see logs/worker.log");
      const res = await fetch(`${origin}/api/health`);
      await res.body?.cancel();
      return res.status === 200 || res.status === 503;
    }, "wrangler dev", 120_000, 500).catch((err) => {
      if (wranglerExited) throw new Error(`wrangler dev exited early; see ${path.join(stateDir, "logs", "worker.log")}`);
      throw err;
    });

    const runSweeps = async () => {
      const res = await fetch(`${origin}/__scheduled?cron=*+*+*+*+*`);
      await res.body?.cancel();
    };
    if (opts.sweepIntervalMs !== 0) {
      const timer = setInterval(() => void runSweeps().catch(() => undefined), opts.sweepIntervalMs ?? 15_000);
      cleanups.push(async () => clearInterval(timer));
    }

    return {
      origin,
      databaseUrl: database.url,
      databaseKind: database.kind,
      dbRelay,
      transcoderUrl: fleet.urls[0]!,
      fleet,
      s3,
      vars,
      startTranscoder: () => fleet.start(),
      stopTranscoder: (signal) => fleet.stop(undefined, signal),
      runSweeps,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
