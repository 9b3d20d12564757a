import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../context.ts";
import { problemResponse } from "../http/problem.ts";

export const healthRoutes = new Hono<AppEnv>();

const DB_CHECK_TIMEOUT_MS = 3000;

healthRoutes.get("/", async (c) => {
  try {
    await Promise.race([
      c.var.db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database check timed out")), DB_CHECK_TIMEOUT_MS)),
    ]);
  } catch (err) {
    console.warn("health: database unavailable", err instanceof Error ? err.message : err);
    return problemResponse({ status: 503, detail: "The database is not reachable.", headers: { "retry-after": "5" } });
  }
  c.header("cache-control", "no-store");
  return c.json({ ok: true });
});
