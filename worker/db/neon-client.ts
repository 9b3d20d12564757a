// The Neon driver's connection for one request: a bare client (not a one-connection pool) that
// connects on its first query and closes without a Terminate message. Each of these saves the
// Worker's one JavaScript thread work on every signed-in request (issue #12, bench/api/profile.ts):
// - The first query is issued before the WebSocket opens, so it leaves in the same WebSocket
//   message as the startup and password (the driver coalesces writes until a 0 ms timer): one
//   native send instead of two. A pool handed the client over only after the connect, and armed
//   its own timers and events around it.
// - Closing sends nothing: a client may just close (Postgres and poolers treat it as Terminate
//   outside a transaction; the local bridge closes its TCP side with the WebSocket). Terminate
//   used to go through the write timer, which fired after `end()` had already closed the socket:
//   an uncaught "send() after close()" on every request.
import { Client, Pool } from "@neondatabase/serverless";

type Hooks = { onConnect: () => void; onError: (err: Error) => void };

/** The driver's socket fields this module relies on (its `neonConfig` class). */
type NeonSocket = { writable: boolean; ws: unknown };

/** A connection that opens on the first query; `close()` ends it (a no-op if none was made). */
export function requestClient(connectionString: string, hooks: Hooks): { client: Client; close: () => Promise<void> } {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
  // A dropped connection must not become an unhandled rejection that kills the isolate.
  client.on("error", hooks.onError);
  // The connection's end, however it comes: end() waits for an end that has not happened yet,
  // and would wait forever after a connection already lost (the database down).
  const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
  let connecting = false;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    if (!connecting) {
      connecting = true;
      hooks.onConnect();
      // A failed connection rejects the queued queries (they fail when the socket ends).
      client.connect().catch(() => undefined);
    }
    return query(...args);
  }) as Client["query"];
  return {
    client,
    close: () => {
      if (!connecting) return Promise.resolve();
      // pg's end() writes Terminate only to a writable stream; otherwise it just closes it.
      const socket = (client as unknown as { connection?: { stream?: NeonSocket } }).connection?.stream;
      if (socket) socket.writable = false;
      const ending = Promise.race([client.end().catch(() => undefined), ended]);
      // end() has closed the WebSocket; writes still waiting for the driver's timer (a query
      // written as the connection failed) must not be sent on it: `send() after close()` throws
      // from the timer, uncaught. The socket's own listeners still see the close.
      if (socket) socket.ws = null;
      return ending;
    },
  };
}

type Query = Client["query"];

/**
 * The request's one client as drizzle's neon-serverless driver takes a pool (it checks
 * `instanceof Pool`): a transaction (drizzle calls connect() for it, release() after) has the
 * client to itself, and statements issued meanwhile wait, as they did behind Pool({ max: 1 }).
 * Handed the bare client, drizzle would run them inside the open transaction: a sweep's
 * concurrent write lost with another task's rollback (as ../db/pipelined-pool.ts for Hyperdrive).
 */
export class OneClientPool extends Pool {
  #held: Promise<void> = Promise.resolve();

  constructor(private readonly single: Client) {
    super();
  }

  override query(...args: unknown[]): never {
    return this.#held.then(() => (this.single.query as (...a: unknown[]) => unknown)(...args)) as never;
  }

  override connect(): never {
    const previous = this.#held;
    let release!: () => void;
    this.#held = new Promise((resolve) => (release = resolve));
    return previous.then(() => ({ query: this.single.query.bind(this.single) as Query, release })) as never;
  }
}
