// Browser sessions: both tokens in httpOnly cookies. The refresh cookie is only ever sent to
// /api/auth (refresh, logout), so ordinary API requests never carry it.
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { accessTokenTtlSeconds, refreshTokenTtlSeconds } from "./tokens.ts";

export const ACCESS_COOKIE = "access_token";
export const REFRESH_COOKIE = "refresh_token";
export const ACCESS_COOKIE_PATH = "/";
export const REFRESH_COOKIE_PATH = "/api/auth";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Secure everywhere except plain-http development on the loopback interface. */
export function cookiesMustBeSecure(requestUrl: string): boolean {
  const url = new URL(requestUrl);
  return !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

function baseOptions(c: Context<AppEnv>): CookieOptions {
  return { httpOnly: true, sameSite: "Lax", secure: cookiesMustBeSecure(c.req.url) };
}

export function setAccessCookie(c: Context<AppEnv>, accessToken: string): void {
  setCookie(c, ACCESS_COOKIE, accessToken, { ...baseOptions(c), path: ACCESS_COOKIE_PATH, maxAge: accessTokenTtlSeconds(c.env) });
}

export function setSessionCookies(c: Context<AppEnv>, tokens: { accessToken: string; refreshToken: string }): void {
  setAccessCookie(c, tokens.accessToken);
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
    ...baseOptions(c),
    path: REFRESH_COOKIE_PATH,
    maxAge: refreshTokenTtlSeconds(c.env),
  });
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  deleteCookie(c, ACCESS_COOKIE, { ...baseOptions(c), path: ACCESS_COOKIE_PATH });
  deleteCookie(c, REFRESH_COOKIE, { ...baseOptions(c), path: REFRESH_COOKIE_PATH });
}

export const readAccessCookie = (c: Context<AppEnv>) => getCookie(c, ACCESS_COOKIE) || undefined;
export const readRefreshCookie = (c: Context<AppEnv>) => getCookie(c, REFRESH_COOKIE) || undefined;
