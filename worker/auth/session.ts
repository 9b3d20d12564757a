// Starting and continuing sessions: one place that mints the token pair and sets the cookies.
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { setAccessCookie, setSessionCookies } from "./cookies.ts";
import { issueRefreshToken } from "./refresh-tokens.ts";
import { refreshTokenTtlSeconds, signAccessToken, type Role } from "./tokens.ts";

export type SessionTokens = { accessToken: string; refreshToken: string };

/** Begins a new refresh-token family for the user and sets both cookies. */
export async function startSession(c: Context<AppEnv>, user: { id: string; role: Role }): Promise<SessionTokens> {
  const [accessToken, refresh] = await Promise.all([
    signAccessToken(c.env, user),
    issueRefreshToken(c.var.db, { userId: user.id, ttlSeconds: refreshTokenTtlSeconds(c.env) }),
  ]);
  const tokens = { accessToken, refreshToken: refresh.token };
  setSessionCookies(c, tokens);
  noStore(c);
  return tokens;
}

/** A new access token after a role change; the cookie is refreshed for browser sessions. */
export async function reissueAccessToken(c: Context<AppEnv>, user: { id: string; role: Role; via: "bearer" | "cookie" }): Promise<string> {
  const accessToken = await signAccessToken(c.env, user);
  if (user.via === "cookie") setAccessCookie(c, accessToken);
  noStore(c);
  return accessToken;
}

/** Responses carrying tokens must never be cached. */
export function noStore(c: Context<AppEnv>): void {
  c.header("cache-control", "no-store");
}

/**
 * Browser requests (they carry Origin) keep the refresh token in its httpOnly cookie only;
 * API clients, which send no Origin, also get it in the JSON so they can refresh.
 */
export const wantsRefreshTokenInBody = (c: Context<AppEnv>) => c.req.header("origin") === undefined;
