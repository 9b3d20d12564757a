// One pipelined connection that drizzle treats as a pool of one. Plain queries are sent at once,
// side by side; a transaction takes the connection for itself (drizzle calls connect() for it and
// release() after) and queries issued meanwhile wait for it, as they did behind Pool({ max: 1 }):
// otherwise a sweep's concurrent read would land inside another task's transaction.
import type pg from "pg";

type Query = pg.Client["query"];

/** drizzle-orm/node-postgres takes a client whose class name contains "Pool" for a pool. */
export class PipelinedPool {
  #held: Promise<void> = Promise.resolve();

  constructor(private readonly client: pg.Client) {}

  query(...args: Parameters<Query>): Promise<unknown> {
    return this.#held.then(() => (this.client.query as (...a: unknown[]) => Promise<unknown>)(...args));
  }

  /** The connection for one transaction; nothing else is sent until `release`. */
  connect(): Promise<{ query: Query; release: () => void }> {
    const previous = this.#held;
    let release!: () => void;
    this.#held = new Promise((resolve) => (release = resolve));
    return previous.then(() => ({ query: this.client.query.bind(this.client) as Query, release }));
  }
}
