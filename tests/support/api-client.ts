// A small client for the API under test. Worker tests pass SELF (from "cloudflare:test"); the
// client only needs something with fetch(), so it also works against a running stack.
//
//   const api = createApiClient(SELF);
//   const alice = await api.signUp({ role: "creator", displayName: "Alice" });
//   const res = await api.request("/api/videos", { method: "POST", as: alice, json: {...} });
//   const viaCookie = await api.request("/api/me", { as: alice, auth: "cookie" });
import { eq, sql } from "drizzle-orm";
import { users } from "#db/schema.ts";
import { openDatabase } from "#worker/db/connection.ts";

export type Fetcher = { fetch(input: string, init?: RequestInit): Promise<Response> };

export type Problem = { type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[] };

export type UserBody = { id: string; email: string; role: "viewer" | "creator" | "admin"; createdAt: string };

export type ApiResponse<T> = {
  status: number;
  body: T;
  text: string;
  headers: Headers;
  /** Raw Set-Cookie header lines. */
  setCookies: string[];
  /** Cookie name → value from Set-Cookie (empty string when the cookie is being cleared). */
  cookies: Record<string, string>;
};

export type Account = {
  email: string;
  password: string;
  user: UserBody;
  accessToken: string;
  refreshToken: string;
  /** The session cookies as a browser would hold them. */
  cookies: { access_token: string; refresh_token: string };
  /** The client address (cf-connecting-ip) this account was created from. */
  ip: string;
  /** The creator profile id, for creator accounts. */
  creatorId: string | null;
};

export type RequestOptions = {
  method?: string;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is (use for malformed bodies). */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Authenticate as this account (see `auth`). */
  as?: Pick<Account, "accessToken" | "cookies">;
  /** How `as` authenticates: bearer token (default) or the browser cookies. */
  auth?: "bearer" | "cookie";
  /** Explicit bearer token (wins over `as`). */
  token?: string;
  /** Explicit cookies. */
  cookies?: Record<string, string>;
  /** Origin header; with auth "cookie" it defaults to the client's own origin (a same-site page). */
  origin?: string | null;
  /** cf-connecting-ip; defaults to a fresh random address so rate limits never couple tests. */
  ip?: string;
};

export const DEFAULT_ORIGIN = "http://example.com";
export const DEFAULT_PASSWORD = "correct horse battery staple";

/** A random address in the IPv6 documentation prefix. */
export function randomAddress(): string {
  const hex = () => Math.floor(Math.random() * 0x10000).toString(16);
  return `2001:db8:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`;
}

export const randomEmail = (prefix = "user") => `${prefix}-${crypto.randomUUID()}@example.com`;

function parseSetCookies(lines: string[]): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of lines) {
    const [pair = ""] = line.split(";");
    const at = pair.indexOf("=");
    if (at > 0) cookies[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return cookies;
}

/** The attributes of one Set-Cookie line, lower-cased names: { httponly: "", path: "/", ... }. */
export function cookieAttributes(setCookies: string[], name: string): Record<string, string> | null {
  const line = setCookies.find((l) => l.startsWith(`${name}=`));
  if (!line) return null;
  const attributes: Record<string, string> = {};
  for (const part of line.split(";").slice(1)) {
    const at = part.indexOf("=");
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    attributes[key] = at < 0 ? "" : part.slice(at + 1).trim();
  }
  return attributes;
}

export function createApiClient(fetcher: Fetcher, origin = DEFAULT_ORIGIN) {
  async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers = new Headers(options.headers);
    headers.set("cf-connecting-ip", options.ip ?? randomAddress());
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const auth = options.auth ?? "bearer";
    const token = options.token ?? (options.as && auth === "bearer" ? options.as.accessToken : undefined);
    if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
    const cookies = options.cookies ?? (options.as && auth === "cookie" ? options.as.cookies : undefined);
    if (cookies) {
      headers.set(
        "cookie",
        Object.entries(cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join("; "),
      );
    }
    const sendOrigin = options.origin === undefined ? (cookies ? origin : null) : options.origin;
    if (sendOrigin !== null) headers.set("origin", sendOrigin);
    const res = await fetcher.fetch(origin + path, { method: options.method ?? "GET", headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    const setCookies = res.headers.getSetCookie();
    return { status: res.status, body: parsed as T, text, headers: res.headers, setCookies, cookies: parseSetCookies(setCookies) };
  }

  function toAccount(
    res: ApiResponse<{ user: UserBody; accessToken: string; refreshToken: string }>,
    email: string,
    password: string,
    ip: string,
    creatorId: string | null,
  ): Account {
    return {
      email,
      password,
      user: res.body.user,
      accessToken: res.body.accessToken,
      refreshToken: res.body.refreshToken,
      cookies: { access_token: res.cookies.access_token ?? "", refresh_token: res.cookies.refresh_token ?? "" },
      ip,
      creatorId,
    };
  }

  /** Signs up (default: a viewer with a fresh email and address); throws unless 201. */
  async function signUp(
    input: { email?: string; password?: string; role?: "viewer" | "creator"; displayName?: string; bio?: string; ip?: string } = {},
  ): Promise<Account> {
    const email = input.email ?? randomEmail(input.role ?? "viewer");
    const password = input.password ?? DEFAULT_PASSWORD;
    const ip = input.ip ?? randomAddress();
    const displayName = input.displayName ?? (input.role === "creator" ? `Creator ${email.slice(8, 16)}` : undefined);
    const res = await request<{ user: UserBody; accessToken: string; refreshToken: string }>("/api/auth/signup", {
      method: "POST",
      ip,
      json: { email, password, role: input.role, displayName, bio: input.bio },
    });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
    let creatorId: string | null = null;
    if (input.role === "creator") {
      const me = await request<{ creator: { id: string } | null }>("/api/me", { token: res.body.accessToken });
      creatorId = me.body.creator?.id ?? null;
    }
    return toAccount(res, email, password, ip, creatorId);
  }

  const signUpCreator = (displayName?: string) => signUp({ role: "creator", displayName });

  /** Logs in; throws unless 200. */
  async function login(email: string, password = DEFAULT_PASSWORD, ip = randomAddress()): Promise<Account> {
    const res = await request<{ user: UserBody; accessToken: string; refreshToken: string }>("/api/auth/login", {
      method: "POST",
      ip,
      json: { email, password },
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    const me = await request<{ creator: { id: string } | null }>("/api/me", { token: res.body.accessToken });
    return toAccount(res, email, password, ip, me.body.creator?.id ?? null);
  }

  return { origin, request, signUp, signUpCreator, login };
}

export type ApiClient = ReturnType<typeof createApiClient>;

type DbEnv = { DATABASE_URL: string; NEON_WS_PROXY?: string };

/** Runs `fn` with a database handle of its own (tests arrange state the API cannot). */
export async function withDb<T>(env: DbEnv, fn: (db: ReturnType<typeof openDatabase>["db"]) => Promise<T>): Promise<T> {
  const { db, close } = openDatabase(env);
  try {
    return await fn(db);
  } finally {
    await close();
  }
}

/**
 * Makes an account an admin the only way there is (a direct update, as scripts/admin-grant.ts
 * does) and logs in again so the new token carries the role.
 */
export async function makeAdmin(env: DbEnv, api: ApiClient, account: Account): Promise<Account> {
  await withDb(env, (db) => db.update(users).set({ role: "admin" }).where(eq(users.id, account.user.id)));
  return api.login(account.email, account.password);
}

/** How many accounts hold this email, compared case-insensitively. */
export async function countUsersByEmail(env: DbEnv, email: string): Promise<number> {
  return withDb(env, async (db) => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(sql`lower(${users.email}) = lower(${email})`);
    return row?.n ?? 0;
  });
}
