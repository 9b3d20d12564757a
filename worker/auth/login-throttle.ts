// The request side of the login guard (login-guard.ts): which account, address and device an
// attempt comes from, the device cookie that marks a browser that signed in before, and the 429.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../context.ts";
import { Problem } from "../http/problem.ts";
import { cookiesMustBeSecure } from "./cookies.ts";
import { fromBase64Url, sha256Base64Url, toBase64Url } from "./encoding.ts";
import type { LoginClient } from "./login-guard.ts";
import { accountKey, clientAddress } from "./rate-limits.ts";

/** A random id per browser; only its hash is stored, per account it signed in to. */
export const DEVICE_COOKIE = "device_id";
const DEVICE_COOKIE_PATH = "/api/auth";
const DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600; // the longest lifetime browsers keep

const encoder = new TextEncoder();

/** Addresses are kept only as a keyed hash (a plain hash of an IPv4 address is easy to reverse). */
async function addressHash(env: Env, address: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(env.JWT_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`login-address|${address}`))));
}

function deviceId(c: Context<AppEnv>): string | null {
  const value = getCookie(c, DEVICE_COOKIE);
  return value && fromBase64Url(value)?.byteLength === 32 ? value : null;
}

async function loginClient(c: Context<AppEnv>): Promise<LoginClient> {
  const device = deviceId(c);
  return { address: await addressHash(c.env, clientAddress(c)), device: device && (await sha256Base64Url(device)) };
}

const guardFor = (env: Env, email: string) => env.LOGIN_GUARD.get(env.LOGIN_GUARD.idFromName(accountKey(email)));

/** Gives this browser a device id if it has none (set on every successful sign-in). */
function ensureDeviceCookie(c: Context<AppEnv>): string {
  const existing = deviceId(c);
  const id = existing ?? toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  setCookie(c, DEVICE_COOKIE, id, {
    httpOnly: true,
    sameSite: "Lax",
    secure: cookiesMustBeSecure(c.req.url),
    path: DEVICE_COOKIE_PATH,
    maxAge: DEVICE_COOKIE_MAX_AGE,
  });
  return id;
}

async function remember(c: Context<AppEnv>, email: string, client: LoginClient, counted: boolean): Promise<void> {
  const device = await sha256Base64Url(ensureDeviceCookie(c));
  await guardFor(c.env, email).succeeded({ address: client.address, device }, counted);
}

export type LoginAttempt = { succeeded: () => Promise<void> };

/**
 * Asks the account's guard for a password attempt; throws 429 with Retry-After when it says no.
 * Call `succeeded` once the password was right (the attempt is given back, the device remembered).
 */
export async function beginLoginAttempt(c: Context<AppEnv>, email: string): Promise<LoginAttempt> {
  const client = await loginClient(c);
  const decision = await guardFor(c.env, email).attempt(client);
  if (!decision.allowed) {
    const wait = decision.retryAfterSeconds;
    throw new Problem({
      status: 429,
      detail: `Too many attempts. Try again in ${wait} second${wait === 1 ? "" : "s"}.`,
      headers: { "retry-after": String(wait) },
    });
  }
  return { succeeded: () => remember(c, email, client, true) };
}

/** A new account signed in for the first time: this browser and address are its known ones. */
export async function rememberNewAccount(c: Context<AppEnv>, email: string): Promise<void> {
  await remember(c, email, await loginClient(c), false);
}
