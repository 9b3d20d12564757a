// Postgres through the Neon serverless driver (WebSocket). Production talks to Neon directly;
// locally NEON_WS_PROXY points at a WebSocket→TCP bridge in front of Postgres or PGlite.
import { Pool, neonConfig } from "@neondatabase/serverless";
import type { Logger } from "drizzle-orm/logger";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "#db/schema.ts";

export type Database = NeonDatabase<typeof schema>;

type DbEnv = { DATABASE_URL: string; NEON_WS_PROXY?: string };

export type DatabaseHandle = { db: Database; close: () => Promise<void> };

function configureLocalProxy(proxy: string) {
  const base = proxy.replace(/^wss?:\/\//, "").replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  // Local Postgres speaks plain SCRAM/trust without Neon's pipelining shortcuts.
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
}

/** Opens a pool for one request (Workers cannot share sockets across requests). */
export function openDatabase(env: DbEnv, opts: { logger?: Logger } = {}): DatabaseHandle {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not configured");
  if (env.NEON_WS_PROXY) configureLocalProxy(env.NEON_WS_PROXY);
  // One connection per request: setting up a connection costs far more than any of our queries,
  // so parallel queries in a request queue on it rather than opening more.
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 1, connectionTimeoutMillis: 5000 });
  // A dropped connection must not become an unhandled rejection that kills the isolate.
  let closing = false;
  pool.on("error", (err: Error) => {
    if (!closing) console.warn("postgres pool error", err.message);
  });
  const db = drizzle({ client: pool, schema, logger: opts.logger });
  return {
    db,
    close: () => {
      closing = true;
      return pool.end().catch(() => undefined);
    },
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
