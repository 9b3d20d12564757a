import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context.ts";
import { openDatabase, type Database, type DatabaseHandle } from "./connection.ts";

/** Gives each request a lazily opened database, closed after the response is sent. */
export const databaseMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  let handle: DatabaseHandle | undefined;
  const lazy = new Proxy({} as Database, {
    get(_target, prop) {
      handle ??= openDatabase(c.env);
      const value = Reflect.get(handle.db, prop);
      return typeof value === "function" ? value.bind(handle.db) : value;
    },
  });
  c.set("db", lazy);
  try {
    await next();
  } finally {
    if (handle) {
      const closing = handle.close();
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        await closing;
      }
    }
  }
});
