// Suspended accounts (moderation/actions.ts suspendUser): sign-in and refresh refuse them
// (auth/routes.ts), and access tokens they still hold stop working for every change, checked
// here against the database on each signed-in write (reads stay token-only and cheap).
import { createMiddleware } from "hono/factory";
import { eq } from "drizzle-orm";
import { users } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import type { Database } from "../db/connection.ts";
import { forbidden } from "../http/problem.ts";
import { isMutating } from "./origin.ts";

export const suspendedProblem = () => forbidden("This account is suspended.");

export async function isSuspended(db: Database, userId: string): Promise<boolean> {
  const [row] = await db.select({ suspendedAt: users.suspendedAt }).from(users).where(eq(users.id, userId)).limit(1);
  return !!row?.suspendedAt;
}

/** 403 for any signed-in change by a suspended account; /api/auth (logout, refresh) decides for itself. */
export const refuseSuspendedWriters = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user;
  if (user && isMutating(c.req.method) && !c.req.path.startsWith("/api/auth/") && (await isSuspended(c.var.db, user.id))) {
    throw suspendedProblem();
  }
  await next();
});
