// The dev database: DATABASE_URL when set, otherwise an embedded PGlite served over the Postgres
// wire protocol on loopback (persisted in a git-ignored folder).
import { mkdir } from "node:fs/promises";
import pg from "pg";
import { freePort } from "./ports.ts";

export type RunningDatabase = { url: string; kind: "postgres" | "pglite"; stop: () => Promise<void> };

export async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.end();
}

export async function startDatabase(opts: { databaseUrl?: string; pgliteDir: string }): Promise<RunningDatabase> {
  if (opts.databaseUrl) {
    await checkPostgres(opts.databaseUrl);
    return { url: opts.databaseUrl, kind: "postgres", stop: async () => {} };
  }
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-socket"),
  ]);
  await mkdir(opts.pgliteDir, { recursive: true });
  const db = await PGlite.create(opts.pgliteDir);
  const port = await freePort();
  // PGlite is one backend; the socket server queues clients, so allow many connections.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 100 });
  await server.start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    kind: "pglite",
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Creates (or recreates) a database on a server and returns its URL. */
export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
