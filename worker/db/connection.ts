// The Worker's database. Through Hyperdrive when the binding is there (production, decision
// 0013; worker/db/hyperdrive.ts), else the Neon serverless driver (WebSocket) straight to Neon.
// Locally NEON_WS_PROXY points the Neon driver at a WebSocket→TCP bridge in front of Postgres or
// PGlite, and wins over a Hyperdrive binding (wrangler dev always has one: wrangler.toml).
import { neonConfig } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm/logger";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import { openHyperdrive } from "./hyperdrive.ts";
import { OneClientPool, requestClient } from "./neon-client.ts";

// Without drizzle's relational query API (db.query.*; nothing uses it): given the schema,
// drizzle() rebuilds the relational config of every table on each call, i.e. on every request's
// connection (~0.1 ms of CPU and its garbage; issue #12, bench/api/profile.ts).
export type Database = NeonDatabase;

type DbEnv = { DATABASE_URL: string; NEON_WS_PROXY?: string; NEON_PIPELINE_CONNECT?: string; HYPERDRIVE?: { connectionString: string } };

export type DatabaseHandle = { db: Database; close: () => Promise<void> };

// Connections this isolate has opened and closed, statements sent and the round trips they cost,
// for tests that hold a request to one connection and to its round-trip budget
// (tests/worker/one-connection.test.ts). Integers: free to keep in production.
const counts = { opened: 0, closed: 0, statements: 0, roundTrips: 0 };
export const connectionCounts = (): Readonly<typeof counts> => ({ ...counts });

/** Counts every statement, then hands it to the caller's logger, if any. */
function countingLogger(next: Logger | undefined, serial: boolean): Logger {
  return {
    logQuery(query, params) {
      counts.statements++;
      // The Neon driver sends a statement only once the one before it has been answered.
      if (serial) counts.roundTrips++;
      next?.logQuery(query, params);
    },
  };
}

function configureLocalProxy(proxy: string, pipelineConnect: string | undefined) {
  const base = proxy.replace(/^wss?:\/\//, "").replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  // A local Postgres speaks trust/SCRAM, where the client must wait for the server's auth request.
  // Neon's shortcut (the driver's default in production) sends startup, a cleartext password and
  // the first query in one flight, so a connection costs no round trip of its own; it works
  // locally only in front of a server that asks for a cleartext password, as Neon's proxy does:
  // the stack's pgbouncer (scripts/stack/pgbouncer.ts) says so with NEON_PIPELINE_CONNECT=password.
  neonConfig.pipelineConnect = pipelineConnect === "password" ? "password" : false;
  neonConfig.pipelineTLS = false;
}

/** Opens a connection for one request (Workers cannot share sockets across requests). */
export function openDatabase(env: DbEnv, opts: { logger?: Logger } = {}): DatabaseHandle {
  if (env.HYPERDRIVE && !env.NEON_WS_PROXY) {
    counts.opened++;
    const handle = openHyperdrive(env.HYPERDRIVE.connectionString, {
      logger: countingLogger(opts.logger, false),
      // Pipelined: statements sent while others await their answers share their round trip.
      countRoundTrip: () => void counts.roundTrips++,
    });
    return { db: handle.db, close: () => handle.close().finally(() => void counts.closed++) };
  }
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not configured");
  if (env.NEON_WS_PROXY) configureLocalProxy(env.NEON_WS_PROXY, env.NEON_PIPELINE_CONNECT);
  // One connection per request: setting up a connection costs far more than any of our queries,
  // so parallel queries in a request queue on it (the client runs them in turn) rather than
  // opening more. It connects on the first query (./neon-client.ts).
  let closing = false;
  let opened = false;
  const { client, close } = requestClient(env.DATABASE_URL, {
    onConnect: () => void ((opened = true), counts.opened++),
    onError: (err) => {
      if (!closing) console.warn("postgres connection error", err.message);
    },
  });
  const db = drizzle({ client: new OneClientPool(client), logger: countingLogger(opts.logger, true) });
  let closed: Promise<void> | undefined;
  return {
    db,
    close: () =>
      (closed ??= (() => {
        closing = true;
        return close().finally(() => void (opened && counts.closed++));
      })()),
  };
}

/**
 * Runs `work` on a connection opened for it and closed right after. For long-running callers
 * (queue consumers waiting on a transcoder): a Worker invocation has six simultaneous
 * connections, so none may sit idle on a database socket while it waits.
 */
export async function withDatabase<T>(env: DbEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const { db, close } = openDatabase(env);
  try {
    return await work(db);
  } finally {
    await close();
  }
}
