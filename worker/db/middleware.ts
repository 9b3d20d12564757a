// One database connection per incoming request. A request's handlers get a lazily opened
// database (no connection unless something queries), closed once after the response. A page
// render calls the API in-process several times (decision 0004); those calls are requests of
// their own to the Hono app, and they borrow the page's database instead of opening theirs, so
// a whole page costs one connection and one handshake (issue #12).
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context.ts";
import { openDatabase, type Database, type DatabaseHandle } from "./connection.ts";

export type RequestDatabase = {
  /** Opens the connection on first use. */
  db: Database;
  /** Ends the connection if one was opened; later use is an error. */
  close: () => Promise<void>;
};

export function lazyDatabase(env: Env): RequestDatabase {
  let handle: DatabaseHandle | undefined;
  const db = new Proxy({} as Database, {
    get(_target, prop) {
      handle ??= openDatabase(env);
      const value = Reflect.get(handle.db, prop);
      return typeof value === "function" ? value.bind(handle.db) : value;
    },
  });
  return { db, close: () => handle?.close() ?? Promise.resolve() };
}

// In-process requests (identity of the Request object, never anything a client can send) →
// the database of the request that made them.
const borrowed = new WeakMap<Request, Database>();

/** Lets `request`, about to be handled in-process, use `db` instead of opening its own. */
export function lendDatabase(request: Request, db: Database): Request {
  borrowed.set(request, db);
  return request;
}

/** Closes after the response is sent when the runtime allows, else before returning it. */
export async function closeAfterResponse(c: Context, database: RequestDatabase): Promise<void> {
  const closing = database.close();
  try {
    c.executionCtx.waitUntil(closing);
  } catch {
    await closing;
  }
}

/** Gives each request a lazily opened database (or the one lent to it), closed after the response. */
export const databaseMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  const lent = borrowed.get(c.req.raw);
  if (lent) {
    // The lender closes it when its own response is done.
    c.set("db", lent);
    return next();
  }
  const database = lazyDatabase(c.env);
  c.set("db", database.db);
  try {
    await next();
  } finally {
    await closeAfterResponse(c, database);
  }
});
