import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { refreshTokens } from "#db/schema.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, verifyAccessToken } from "#worker/auth/tokens.ts";
import { cookieAttributes, createApiClient, withDb, type Account } from "../support/api-client.ts";

const api = createApiClient(SELF);
const secret = new TextEncoder().encode(env.JWT_SECRET);
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Signs like the server does, with any field overridable. */
function forge(
  account: Account,
  over: { alg?: string; kid?: string; typ?: string; iss?: string; aud?: string; exp?: number; role?: string; key?: Uint8Array } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: over.role ?? account.user.role })
    .setProtectedHeader({ alg: over.alg ?? "HS256", typ: over.typ ?? "at+jwt", kid: over.kid ?? env.JWT_KEY_ID })
    .setSubject(account.user.id)
    .setIssuer(over.iss ?? ACCESS_TOKEN_ISSUER)
    .setAudience(over.aud ?? ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(over.exp ?? now + 600)
    .sign(over.key ?? secret);
}

async function me(token: string) {
  return api.request<{ user: { id: string; role: string } }>("/api/me", { token });
}

function expect401(res: { status: number; headers: Headers }) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
}

describe("access tokens", () => {
  it("are HS256 JWTs with kid, issuer, audience, subject, role and the configured lifetime", async () => {
    const account = await api.signUp();
    const header = decodeProtectedHeader(account.accessToken);
    expect(header).toEqual({ alg: "HS256", typ: "at+jwt", kid: env.JWT_KEY_ID });
    const claims = decodeJwt(account.accessToken);
    expect(claims).toMatchObject({ sub: account.user.id, role: "viewer", iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE });
    expect(claims.exp! - claims.iat!).toBe(Number(env.ACCESS_TOKEN_TTL_SECONDS));
    expect(await verifyAccessToken(env, account.accessToken)).toEqual({ userId: account.user.id, role: "viewer" });
  });

  it("a correctly forged-by-us token is accepted (control for the cases below)", async () => {
    const account = await api.signUp();
    expect((await me(await forge(account))).status).toBe(200);
  });

  it("refuses a token whose signature was changed", async () => {
    const account = await api.signUp();
    const [h, p, s] = account.accessToken.split(".") as [string, string, string];
    const flipped = s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11);
    expect401(await me(`${h}.${p}.${flipped}`));
    expect401(await me(`${h}.${p}.`));
  });

  it("refuses alg: none", async () => {
    const account = await api.signUp();
    const unsecured = new UnsecuredJWT({ role: "admin" })
      .setSubject(account.user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("10m")
      .encode();
    expect401(await me(unsecured));
    // Same payload as a real token, header swapped to none, signature kept or dropped.
    const [, p, s] = account.accessToken.split(".") as [string, string, string];
    const none = b64url({ alg: "none", typ: "at+jwt", kid: env.JWT_KEY_ID });
    expect401(await me(`${none}.${p}.`));
    expect401(await me(`${none}.${p}.${s}`));
  });

  it("refuses an edited payload (role raised to admin)", async () => {
    const account = await api.signUp();
    const [h, p, s] = account.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    expect401(await me(`${h}.${b64url({ ...claims, role: "admin" })}.${s}`));
  });

  it("refuses an expired token", async () => {
    const account = await api.signUp();
    expect401(await me(await forge(account, { exp: Math.floor(Date.now() / 1000) - 5 })));
  });

  it("a token already verified (kept by the isolate) is refused once it expires", async () => {
    const account = await api.signUp();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await forge(account, { exp });
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    expect401(await me(token));
  });

  it("a token already verified is refused once its key leaves the keyring (rotation)", async () => {
    const account = await api.signUp();
    expect(await verifyAccessToken(env, account.accessToken)).toEqual({ userId: account.user.id, role: "viewer" });
    // Rotated: the old key stays as the previous one, and its tokens still verify.
    const rotated = { ...env, JWT_KEY_ID: "k-next", JWT_SECRET: "next-secret-of-sufficient-length-0123456789", JWT_PREVIOUS_KEY_ID: env.JWT_KEY_ID, JWT_PREVIOUS_SECRET: env.JWT_SECRET };
    expect(await verifyAccessToken(rotated, account.accessToken)).toEqual({ userId: account.user.id, role: "viewer" });
    // The previous key dropped: no longer.
    expect(await verifyAccessToken({ ...rotated, JWT_PREVIOUS_KEY_ID: undefined, JWT_PREVIOUS_SECRET: undefined }, account.accessToken)).toBeNull();
    expect(await verifyAccessToken(env, account.accessToken)).toEqual({ userId: account.user.id, role: "viewer" });
  });

  it("refuses a wrong or missing key id, and a token signed with another secret", async () => {
    const account = await api.signUp();
    expect401(await me(await forge(account, { kid: "k0" })));
    const noKid = await new SignJWT({ role: "viewer" })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject(account.user.id)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(secret);
    expect401(await me(noKid));
    expect401(await me(await forge(account, { key: new TextEncoder().encode("another-secret-of-sufficient-length-000") })));
  });

  it("refuses other algorithms, issuers, audiences and token types", async () => {
    const account = await api.signUp();
    expect401(await me(await forge(account, { alg: "HS512" })));
    expect401(await me(await forge(account, { iss: "someone-else" })));
    expect401(await me(await forge(account, { aud: "another-api" })));
    expect401(await me(await forge(account, { typ: "JWT" })));
    expect401(await me(await forge(account, { role: "superuser" })));
  });

  it("answers an invalid bearer token with 401 even on public routes, with WWW-Authenticate", async () => {
    const res = await api.request("/api/health", { token: "not.a.jwt" });
    expect401(res);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("treats an invalid access cookie as anonymous", async () => {
    const creator = await api.signUpCreator();
    const res = await api.request<{ following: boolean }>(`/api/creators/${creator.creatorId}`, { cookies: { access_token: "garbage" } });
    expect(res.status).toBe(200);
    expect(res.body.following).toBe(false);
    expect401(await api.request("/api/me", { cookies: { access_token: "garbage" } }));
  });

  it("lets the bearer token win over the cookie", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const res = await api.request<{ user: { id: string } }>("/api/me", { token: bob.accessToken, cookies: alice.cookies });
    expect(res.body.user.id).toBe(bob.user.id);
    // A bad bearer token is not rescued by a good cookie.
    expect401(await api.request("/api/me", { token: "bad", cookies: alice.cookies }));
  });
});

describe("refresh tokens", () => {
  type Refreshed = { accessToken: string; refreshToken?: string };
  const refreshWithBody = (refreshToken: string) =>
    api.request<Refreshed>("/api/auth/refresh", { method: "POST", json: { refreshToken } });
  const refreshWithCookie = (refreshToken: string, origin: string | null = api.origin) =>
    api.request<Refreshed>("/api/auth/refresh", { method: "POST", cookies: { refresh_token: refreshToken }, origin });

  it("are stored only as a hash", async () => {
    const account = await api.signUp();
    const rows = await withDb(env, (db) => db.select().from(refreshTokens).where(eq(refreshTokens.userId, account.user.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toBe(account.refreshToken);
    expect(rows[0]!.tokenHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("rotate on every use (body), staying in the same family", async () => {
    const account = await api.signUp();
    const first = await refreshWithBody(account.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.accessToken).toBeTruthy();
    expect(first.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.body.refreshToken).not.toBe(account.refreshToken);
    expect((await me(first.body.accessToken)).status).toBe(200);
    const second = await refreshWithBody(first.body.refreshToken!);
    expect(second.status).toBe(200);

    const rows = await withDb(env, (db) => db.select().from(refreshTokens).where(eq(refreshTokens.userId, account.user.id)));
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);
    expect(rows.filter((r) => r.rotatedAt === null)).toHaveLength(1);
  });

  it("rotate through the cookie for browsers, setting both cookies and keeping the refresh token out of the JSON", async () => {
    const account = await api.signUp();
    const res = await refreshWithCookie(account.cookies.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("refreshToken");
    expect(res.cookies.access_token).toBe(res.body.accessToken);
    expect(res.cookies.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.cookies.refresh_token).not.toBe(account.cookies.refresh_token);
    expect(cookieAttributes(res.setCookies, "refresh_token")).toMatchObject({ path: "/api/auth", httponly: "", samesite: "Lax" });
  });

  it("reuse of a rotated token revokes the whole family: the newer token stops working too", async () => {
    const account = await api.signUp();
    const rotated = await refreshWithBody(account.refreshToken);
    expect(rotated.status).toBe(200);
    const reuse = await refreshWithBody(account.refreshToken);
    expect401(reuse);
    expect401(await refreshWithBody(rotated.body.refreshToken!));
    const rows = await withDb(env, (db) => db.select().from(refreshTokens).where(eq(refreshTokens.userId, account.user.id)));
    expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
  });

  it("reuse through the cookie also clears the browser's cookies", async () => {
    const account = await api.signUp();
    expect((await refreshWithCookie(account.cookies.refresh_token)).status).toBe(200);
    const reuse = await refreshWithCookie(account.cookies.refresh_token);
    expect401(reuse);
    expect(cookieAttributes(reuse.setCookies, "refresh_token")).toMatchObject({ "max-age": "0" });
  });

  it("other sessions of the same user survive a revoked family", async () => {
    const account = await api.signUp();
    const other = await api.login(account.email);
    await refreshWithBody(account.refreshToken);
    await refreshWithBody(account.refreshToken); // reuse → first family revoked
    expect((await refreshWithBody(other.refreshToken)).status).toBe(200);
  });

  it("expired tokens are refused", async () => {
    const account = await api.signUp();
    await withDb(env, (db) =>
      db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(refreshTokens.userId, account.user.id)),
    );
    expect401(await refreshWithBody(account.refreshToken));
  });

  it("unknown, malformed or missing tokens are 401; bad bodies 400", async () => {
    expect401(await refreshWithBody("A".repeat(43)));
    expect401(await refreshWithBody("short"));
    expect401(await api.request("/api/auth/refresh", { method: "POST" }));
    expect((await api.request("/api/auth/refresh", { method: "POST", json: { refreshToken: 5 } })).status).toBe(400);
  });

  it("logout revokes the family (cookie or body) and refresh then fails", async () => {
    const browser = await api.signUp();
    const out = await api.request("/api/auth/logout", { method: "POST", cookies: { refresh_token: browser.cookies.refresh_token }, origin: api.origin });
    expect(out.status).toBe(204);
    expect401(await refreshWithBody(browser.refreshToken));

    const client = await api.signUp();
    const rotated = await refreshWithBody(client.refreshToken);
    expect((await api.request("/api/auth/logout", { method: "POST", json: { refreshToken: rotated.body.refreshToken } })).status).toBe(204);
    expect401(await refreshWithBody(rotated.body.refreshToken!));
  });

  it("the refreshed access token carries the role from the database", async () => {
    const account = await api.signUp();
    const became = await api.request("/api/me/creator", { method: "POST", as: account, json: { displayName: "Later Creator" } });
    expect(became.status).toBe(201);
    const refreshed = await refreshWithBody(account.refreshToken);
    expect(decodeJwt(refreshed.body.accessToken).role).toBe("creator");
  });
});

describe("Origin check for cookie sessions", () => {
  async function patchViaCookie(account: Account, headers: { origin?: string | null; referer?: string }) {
    return api.request(`/api/creators/${account.creatorId}`, {
      method: "PATCH",
      as: account,
      auth: "cookie",
      origin: headers.origin ?? null,
      headers: headers.referer ? { referer: headers.referer } : {},
      json: { bio: "changed" },
    });
  }

  it("refuses a cookie-authenticated change without Origin or Referer", async () => {
    const creator = await api.signUpCreator();
    const res = await patchViaCookie(creator, {});
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("refuses a foreign Origin (and a foreign Referer, and Origin: null)", async () => {
    const creator = await api.signUpCreator();
    expect((await patchViaCookie(creator, { origin: "https://evil.example" })).status).toBe(403);
    expect((await patchViaCookie(creator, { origin: "http://example.com.evil.example" })).status).toBe(403);
    expect((await patchViaCookie(creator, { origin: "null" })).status).toBe(403);
    expect((await patchViaCookie(creator, { referer: "https://evil.example/page" })).status).toBe(403);
    // A foreign Origin is not rescued by a matching Referer.
    expect((await patchViaCookie(creator, { origin: "https://evil.example", referer: "http://example.com/x" })).status).toBe(403);
  });

  it("accepts our own origin, PUBLIC_ORIGIN, or a same-origin Referer", async () => {
    const creator = await api.signUpCreator();
    expect((await patchViaCookie(creator, { origin: "http://example.com" })).status).toBe(200);
    expect((await patchViaCookie(creator, { origin: env.PUBLIC_ORIGIN })).status).toBe(200);
    expect((await patchViaCookie(creator, { referer: "http://example.com/studio" })).status).toBe(200);
  });

  it("does not apply to bearer requests or to reads", async () => {
    const creator = await api.signUpCreator();
    const bearer = await api.request(`/api/creators/${creator.creatorId}`, { method: "PATCH", as: creator, origin: null, json: { bio: "x" } });
    expect(bearer.status).toBe(200);
    const read = await api.request("/api/me", { as: creator, auth: "cookie", origin: "https://evil.example" });
    expect(read.status).toBe(200);
  });

  it("guards follow, becoming a creator, refresh and logout by cookie too", async () => {
    const viewer = await api.signUp();
    const creator = await api.signUpCreator();
    const foreign = { as: viewer, auth: "cookie" as const, origin: "https://evil.example" };
    expect((await api.request(`/api/creators/${creator.creatorId}/follow`, { method: "PUT", ...foreign })).status).toBe(403);
    expect((await api.request("/api/me/creator", { method: "POST", ...foreign, json: { displayName: "X" } })).status).toBe(403);
    const refreshCookie = { cookies: { refresh_token: viewer.cookies.refresh_token }, origin: null };
    expect((await api.request("/api/auth/refresh", { method: "POST", ...refreshCookie })).status).toBe(403);
    expect((await api.request("/api/auth/logout", { method: "POST", ...refreshCookie })).status).toBe(403);
    // Nothing was revoked by the refused logout.
    expect((await api.request("/api/auth/refresh", { method: "POST", json: { refreshToken: viewer.refreshToken } })).status).toBe(200);
  });

  it("refuses sign-up and login posted from another site (login CSRF)", async () => {
    const account = await api.signUp();
    const login = await api.request("/api/auth/login", {
      method: "POST",
      origin: "https://evil.example",
      json: { email: account.email, password: account.password },
    });
    expect(login.status).toBe(403);
  });
});
