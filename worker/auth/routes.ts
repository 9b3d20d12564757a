// /api/auth: sign-up, login, refresh, logout. Thin handlers over the accounts and token modules.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../context.ts";
import { EmailTakenError, createAccount, findUserByEmail, findUserById, updatePasswordHash } from "../accounts/queries.ts";
import { presentUser } from "../accounts/present.ts";
import { loginSchema, refreshSchema, signupSchema, type Refreshed, type Session } from "#contract/api.ts";
import { Problem, problemResponse } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";
import { clearSessionCookies, readRefreshCookie, setSessionCookies } from "./cookies.ts";
import { assertNotCrossSite, assertSameOrigin } from "./origin.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.ts";
import { beginLoginAttempt, rememberNewAccount } from "./login-throttle.ts";
import { RATE_LIMITS, clientAddress, enforceRateLimits } from "./rate-limits.ts";
import { revokeRefreshTokenFamily, rotateRefreshToken } from "./refresh-tokens.ts";
import { noStore, startSession, wantsRefreshTokenInBody } from "./session.ts";
import { suspendedProblem } from "./suspension.ts";
import { refreshTokenTtlSeconds, signAccessToken } from "./tokens.ts";

export const authRoutes = new Hono<AppEnv>();

const badCredentials = () =>
  new Problem({ status: 401, title: "Unauthorized", detail: "The email or password is incorrect." });
const BAD_REFRESH = { status: 401, detail: "The session has ended. Sign in again." } as const;
const badRefresh = () => new Problem(BAD_REFRESH);

/** A 401 that also clears the browser's dead session cookies (a thrown Problem would drop them). */
function endedSession(c: Context<AppEnv>): Response {
  clearSessionCookies(c);
  noStore(c);
  const problem = problemResponse(BAD_REFRESH);
  return c.newResponse(problem.body, 401, { "content-type": problem.headers.get("content-type")! });
}

/** The answer to a successful sign-up or sign-in: user, access token, and the refresh token for API clients. */
function sessionBody(c: Context<AppEnv>, user: Parameters<typeof presentUser>[0], tokens: { accessToken: string; refreshToken: string }): Session {
  return {
    user: presentUser(user),
    accessToken: tokens.accessToken,
    ...(wantsRefreshTokenInBody(c) ? { refreshToken: tokens.refreshToken } : {}),
  };
}

/**
 * Checks a password for an email through the account's login guard (429 when it says wait);
 * returns the user, or throws the one 401 that never says whether the email exists.
 */
async function signIn(c: Context<AppEnv>, email: string, password: string) {
  const attempt = await beginLoginAttempt(c, email);
  const user = await findUserByEmail(c.var.db, email);
  if (!user) {
    // Same work and same answer as a wrong password: nothing tells whether the email exists.
    await burnPasswordCheck(password);
    throw badCredentials();
  }
  const check = await verifyPassword(password, user.passwordHash);
  if (!check.ok) throw badCredentials();
  if (check.needsRehash) await updatePasswordHash(c.var.db, user.id, await hashPassword(password));
  await attempt.succeeded();
  // Only after the right password: a suspended account is not revealed to someone guessing.
  if (user.suspendedAt) throw suspendedProblem();
  return user;
}

authRoutes.post("/signup", async (c) => {
  assertNotCrossSite(c);
  const input = await readJson(c, signupSchema);
  await enforceRateLimits(c.env, [[RATE_LIMITS.signupPerAddress, clientAddress(c)]]);
  // An existing email never gets "already exists" (decision 0007): it is a sign-in, through
  // the same guard as login, with login's answers (201 session for the right password, else 401).
  const existing = await findUserByEmail(c.var.db, input.email);
  let user;
  if (existing) {
    user = await signIn(c, input.email, input.password);
  } else {
    try {
      const account = await createAccount(c.var.db, {
        email: input.email,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        creator: input.role === "creator" ? { displayName: input.displayName!, bio: input.bio ?? "" } : undefined,
      });
      user = account.user;
      await rememberNewAccount(c, input.email);
    } catch (err) {
      // Created by a concurrent request a moment ago: the same path as any existing email.
      if (err instanceof EmailTakenError) user = await signIn(c, input.email, input.password);
      else throw err;
    }
  }
  const tokens = await startSession(c, user);
  return c.json(sessionBody(c, user, tokens) satisfies Session, 201);
});

authRoutes.post("/login", async (c) => {
  assertNotCrossSite(c);
  const input = await readJson(c, loginSchema);
  await enforceRateLimits(c.env, [[RATE_LIMITS.loginPerAddress, clientAddress(c)]]);
  const user = await signIn(c, input.email, input.password);
  const tokens = await startSession(c, user);
  return c.json(sessionBody(c, user, tokens) satisfies Session);
});

/** The refresh token from the body (API clients) or the cookie (browsers, which must be same-origin). */
async function presentedRefreshToken(c: Context<AppEnv>): Promise<{ token: string; fromCookie: boolean } | null> {
  const body = await readJson(c, refreshSchema);
  if (body.refreshToken !== undefined) return { token: body.refreshToken, fromCookie: false };
  const cookie = readRefreshCookie(c);
  if (cookie !== undefined) {
    assertSameOrigin(c);
    return { token: cookie, fromCookie: true };
  }
  return null;
}

authRoutes.post("/refresh", async (c) => {
  assertNotCrossSite(c);
  await enforceRateLimits(c.env, [[RATE_LIMITS.refreshPerAddress, clientAddress(c)]]);
  const presented = await presentedRefreshToken(c);
  if (!presented) throw badRefresh();
  const result = await rotateRefreshToken(c.var.db, presented.token, refreshTokenTtlSeconds(c.env));
  if (result.kind !== "rotated") {
    if (result.kind === "reused") console.warn("refresh token reuse detected; family revoked", result.familyId);
    if (presented.fromCookie) return endedSession(c);
    throw badRefresh();
  }
  const user = await findUserById(c.var.db, result.userId);
  if (!user) throw badRefresh();
  if (user.suspendedAt) throw suspendedProblem();
  const accessToken = await signAccessToken(c.env, user);
  setSessionCookies(c, { accessToken, refreshToken: result.token });
  noStore(c);
  return c.json({ accessToken, ...(presented.fromCookie ? {} : { refreshToken: result.token }) } satisfies Refreshed);
});

authRoutes.post("/logout", async (c) => {
  assertNotCrossSite(c);
  const presented = await presentedRefreshToken(c);
  if (presented) await revokeRefreshTokenFamily(c.var.db, presented.token);
  clearSessionCookies(c);
  noStore(c);
  return c.body(null, 204);
});
