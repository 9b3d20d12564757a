// CSRF defence for cookie sessions: a state-changing request that relies on a cookie must come
// from one of our own pages, i.e. carry an Origin (or, failing that, a Referer) of our origin.
// Requests with an Authorization header are exempt: a browser never adds one cross-site.
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { forbidden } from "../http/problem.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isMutating = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

function originOf(value: string | undefined): string | null {
  if (!value || value === "null") return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/** The origins our pages are served from: the request's own, and PUBLIC_ORIGIN when configured. */
export function allowedOrigins(c: Context<AppEnv>): Set<string> {
  const allowed = new Set<string>([new URL(c.req.url).origin]);
  const configured = originOf(c.env.PUBLIC_ORIGIN);
  if (configured) allowed.add(configured);
  return allowed;
}

/** The origin the browser says the request comes from, or null when it says nothing usable. */
export function requestOrigin(c: Context<AppEnv>): string | null {
  return originOf(c.req.header("origin")) ?? (c.req.header("origin") ? null : originOf(c.req.header("referer")));
}

export function isSameOrigin(c: Context<AppEnv>): boolean {
  const origin = requestOrigin(c);
  return origin !== null && allowedOrigins(c).has(origin);
}

/** Throws 403 unless the request comes from our own origin. */
export function assertSameOrigin(c: Context<AppEnv>): void {
  if (!isSameOrigin(c)) {
    throw forbidden("Cookie-authenticated changes must come from this site (Origin header missing or foreign).");
  }
}

/** Refuses a request that announces a foreign origin (browsers always send Origin on cross-site POSTs). */
export function assertNotCrossSite(c: Context<AppEnv>): void {
  const announced = c.req.header("origin") ?? c.req.header("referer");
  if (announced !== undefined && !isSameOrigin(c)) throw forbidden("Requests from other sites are not accepted here.");
}
