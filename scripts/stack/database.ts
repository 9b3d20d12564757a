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
  const innerPort = await freePort();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: innerPort, maxConnections: 100 });
  unstickQueryQueue(server);
  await server.start();
  return {
    url: `postgresql://postgres@127.0.0.1:${innerPort}/postgres`,
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

/**
 * pglite-socket 0.2.17 leaves its query queue marked busy forever when one query throws (its
 * catch returns before clearing the flag), after which every client hangs. Clear the flag and
 * carry on with the next queued query.
 */
type QueryQueue = {
  processing: boolean;
  queue: unknown[];
  processQueue: () => Promise<void>;
  db: { isInTransaction: () => boolean; execProtocolRawStream: (message: Uint8Array, opts: unknown) => Promise<unknown>; exec: (sql: string) => Promise<unknown> };
};

function unstickQueryQueue(server: object): void {
  const queue = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== "function") return;
  keepExtendedQueriesTogether(queue);
  const original = queue.processQueue.bind(queue);
  queue.processQueue = async () => {
    const alreadyRunning = queue.processing;
    await original();
    if (!alreadyRunning && queue.processing) {
      queue.processing = false;
      if (queue.queue.length > 0) void queue.processQueue();
    }
  };
}

/**
 * pglite-socket queues every protocol message on its own, so concurrent clients' Parse/Bind/
 * Execute messages interleave on PGlite's single backend and overwrite each other's unnamed
 * statement ("portal does not exist"). Its queue already keeps one client's messages together
 * while a transaction is open; report an unfinished extended-query sequence (no Sync yet) as
 * "in a transaction" too, so the queue waits for the same client until its Sync.
 */
function keepExtendedQueriesTogether(queue: QueryQueue): void {
  const db = queue.db;
  let unfinished = false;
  const ends = new Set(["S", "Q", "X"].map((c) => c.charCodeAt(0)));
  const extended = new Set(["P", "B", "D", "E", "C", "H", "F"].map((c) => c.charCodeAt(0)));
  queue.db = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "isInTransaction") return () => unfinished || target.isInTransaction();
      if (prop === "execProtocolRawStream") {
        return (message: Uint8Array, opts: unknown) => {
          const type = message[0]!;
          if (ends.has(type)) unfinished = false;
          else if (extended.has(type)) unfinished = true;
          return target.execProtocolRawStream(message, opts);
        };
      }
      if (prop === "exec") {
        // The queue rolls back for a client that left mid-transaction; its sequence ends too.
        return (sql: string) => {
          unfinished = false;
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
