// Guards for route handlers. The role comes from the access token, which is enough for cheap
// checks; ownership of creator resources is always decided from the database
// (see findCreatorByUserId in worker/creators/queries.ts).
import type { Context } from "hono";
import type { AppEnv, AuthUser } from "../context.ts";
import { forbidden, unauthorized } from "../http/problem.ts";

/** The signed-in user, or 401. */
export function requireUser(c: Context<AppEnv>): AuthUser {
  const user = c.var.user;
  if (!user) throw unauthorized();
  return user;
}

/** The signed-in user if their role is one of `roles`; 401 when anonymous, 403 otherwise. */
export function requireRole(c: Context<AppEnv>, ...roles: AuthUser["role"][]): AuthUser {
  const user = requireUser(c);
  if (!roles.includes(user.role)) throw forbidden();
  return user;
}

export const isAdmin = (user: AuthUser | null | undefined) => user?.role === "admin";
