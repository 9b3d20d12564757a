// Postgres through Hyperdrive (production, decision 0013): node-postgres over a TCP socket to the
// binding's connection string. Hyperdrive sets the connection up at the edge and keeps pooled
// connections next to the database, so a request pays no setup across the distance; `wrangler
// dev` connects the binding straight to its local connection string.
import pg from "pg";
import type { Logger } from "drizzle-orm/logger";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Database, DatabaseHandle } from "./connection.ts";
import { CoalescingSocket } from "./coalescing-socket.ts";
import { PipelinedPool } from "./pipelined-pool.ts";

/** Called for each round trip the connection makes after its setup. */
export type RoundTripCounter = () => void;

/**
 * Opens one pipelined connection: queries issued together (a page's in-process API calls, a
 * handler's Promise.all) are written without waiting for each other's answers, so they cost one
 * round trip between them instead of one each. A transaction has the connection to itself while
 * it runs (pipelined-pool.ts).
 */
export function openHyperdrive(connectionString: string, opts: { logger?: Logger; countRoundTrip?: RoundTripCounter } = {}): DatabaseHandle {
  let closing = false;
  // The Workers socket given explicitly: pg's own pick of it, a require() inside pg, gets a
  // bundler-dependent stub under Vite (brianc/node-postgres#3493).
  const stream = () => {
    const socket = new CoalescingSocket(false) as unknown as Socket;
    if (opts.countRoundTrip) countRoundTrips(socket, opts.countRoundTrip, () => closing);
    return socket as never;
  };
  const client = new pg.Client({ connectionString, pipeline: true, stream });
  // A dropped connection must not become an unhandled rejection that kills the isolate; the
  // queries waiting on it fail with the error instead.
  client.on("error", (err: Error) => {
    if (!closing) console.warn("postgres connection error", err.message);
  });
  const connected = client.connect().catch((err: Error) => err);
  // Same result shape as the Neon driver (node-postgres's QueryResult): one Database type for both.
  const db = drizzle({ client: new PipelinedPool(client) as never, logger: opts.logger }) as unknown as Database;
  return {
    db,
    close: async () => {
      closing = true;
      if ((await connected) instanceof Error) return;
      await client.end().catch(() => undefined);
    },
  };
}

type Socket = { write: (...args: never[]) => boolean; on: (event: "data", listener: () => void) => unknown };

/**
 * Counts what the wire does, not what the code asks: a round trip each time the client writes
 * after the server has answered. Writes sent before any answer (pipelined queries) are one; the
 * startup message (answered by Hyperdrive at the edge) and the closing Terminate are not counted.
 */
function countRoundTrips(socket: Socket, count: RoundTripCounter, closing: () => boolean) {
  let answered = false;
  socket.on("data", () => void (answered = true));
  const write = socket.write.bind(socket);
  socket.write = (...args) => {
    if (answered && !closing()) count();
    answered = false;
    return write(...args);
  };
}
