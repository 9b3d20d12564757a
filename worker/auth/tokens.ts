// Access tokens: short-lived HS256 JWTs (jose). The header names the key (`kid`) so the secret
// can rotate: verification looks the key up by id, and only HS256 is ever accepted.
import { SignJWT, errors, jwtVerify, type JWTHeaderParameters } from "jose";
import type { AuthUser } from "../context.ts";
import { MIN_SECRET_BYTES } from "../config/secret-rules.ts";

export const ACCESS_TOKEN_ISSUER = "edge-video";
export const ACCESS_TOKEN_AUDIENCE = "edge-video:api";
export const ACCESS_TOKEN_TYPE = "at+jwt";
export const ACCESS_TOKEN_ALG = "HS256";

const DEFAULT_ACCESS_TTL_SECONDS = 900;
const DEFAULT_REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export type Role = AuthUser["role"];
export const roles = ["viewer", "creator", "admin"] as const satisfies readonly Role[];

/** The part of Env the token code reads. A previous key may be configured while rotating. */
export type TokenEnv = Pick<Env, "JWT_SECRET" | "JWT_KEY_ID" | "ACCESS_TOKEN_TTL_SECONDS" | "REFRESH_TOKEN_TTL_SECONDS"> & {
  JWT_PREVIOUS_KEY_ID?: string;
  JWT_PREVIOUS_SECRET?: string;
};

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export const accessTokenTtlSeconds = (env: TokenEnv) => positiveInt(env.ACCESS_TOKEN_TTL_SECONDS, DEFAULT_ACCESS_TTL_SECONDS);
export const refreshTokenTtlSeconds = (env: TokenEnv) => positiveInt(env.REFRESH_TOKEN_TTL_SECONDS, DEFAULT_REFRESH_TTL_SECONDS);

function secretBytes(secret: string | undefined, name: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret ?? "");
  if (bytes.byteLength < MIN_SECRET_BYTES) throw new Error(`${name} must be set to at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}

// Imported once per secret and isolate: jose imports raw bytes on every call, which was ~3 % of
// a signed-in request's CPU in the Worker (bench/api/profile.ts on GET /api/feed/following).
const imported = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string | undefined, name: string): Promise<CryptoKey> {
  const bytes = secretBytes(secret, name);
  const cacheKey = secret!;
  let key = imported.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    imported.set(cacheKey, key);
  }
  return key;
}

type KeyringInputs = [string | undefined, string | undefined, string | undefined, string | undefined];
// The last keyring built and what it was built from: every signed-in request verifies a token,
// and rebuilding the ring (encoding each secret) was ~1 % of GET /api/me's CPU (bench/api/profile.ts).
type Keyring = { inputs: KeyringInputs; keys: Map<string, Promise<CryptoKey>>; verified: Map<string, VerifiedToken> };
let lastKeyring: Keyring | undefined;

/** kid → key. The current key signs; any listed key verifies. */
function keyring(env: TokenEnv): Keyring {
  const inputs: KeyringInputs = [env.JWT_KEY_ID, env.JWT_SECRET, env.JWT_PREVIOUS_KEY_ID, env.JWT_PREVIOUS_SECRET];
  if (lastKeyring && lastKeyring.inputs.every((v, i) => v === inputs[i])) return lastKeyring;
  // A new ring starts with no verified tokens: one signed by a key no longer listed must fail.
  lastKeyring = { inputs, keys: buildKeyring(env), verified: new Map() };
  return lastKeyring;
}

function buildKeyring(env: TokenEnv): Map<string, Promise<CryptoKey>> {
  const keys = new Map<string, Promise<CryptoKey>>();
  keys.set(env.JWT_KEY_ID || "k1", hmacKey(env.JWT_SECRET, "JWT_SECRET"));
  if (env.JWT_PREVIOUS_KEY_ID && env.JWT_PREVIOUS_SECRET && !keys.has(env.JWT_PREVIOUS_KEY_ID)) {
    keys.set(env.JWT_PREVIOUS_KEY_ID, hmacKey(env.JWT_PREVIOUS_SECRET, "JWT_PREVIOUS_SECRET"));
  }
  return keys;
}

export async function signAccessToken(env: TokenEnv, user: { id: string; role: Role }): Promise<string> {
  const kid = env.JWT_KEY_ID || "k1";
  const key = keyring(env).keys.get(kid)!;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid })
    .setSubject(user.id)
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + accessTokenTtlSeconds(env))
    .setJti(crypto.randomUUID())
    .sign(await key);
}

export type AccessClaims = { userId: string; role: Role };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Tokens this isolate has verified (the whole token, signature included, as the key), kept until
// they expire: a client sends the same access token with every request for its lifetime
// (15 minutes by default), and verifying it (base64, JSON, the HMAC) was ~5 % of a signed-in
// feed request's CPU (issue #12, bench/api/profile.ts). Only valid tokens are kept, and the
// only claim that can turn a valid token invalid with time, `exp`, is checked on every use.
// Bounded: the oldest entry goes first.
type VerifiedToken = { claims: AccessClaims; expiresAt: number };
const MAX_VERIFIED_TOKENS = 1000;

/** Returns the claims of a valid token, or null for anything forged, expired or malformed. */
export async function verifyAccessToken(env: TokenEnv, token: string): Promise<AccessClaims | null> {
  const ring = keyring(env);
  const known = ring.verified.get(token);
  if (known) {
    if (Date.now() / 1000 < known.expiresAt) return { ...known.claims };
    ring.verified.delete(token);
    return null;
  }
  const verified = await verifySignedToken(ring.keys, token);
  if (!verified) return null;
  if (ring.verified.size >= MAX_VERIFIED_TOKENS) ring.verified.delete(ring.verified.keys().next().value!);
  ring.verified.set(token, verified);
  return { ...verified.claims };
}

async function verifySignedToken(keys: Keyring["keys"], token: string): Promise<VerifiedToken | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid === undefined ? undefined : keys.get(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ["sub", "exp", "iat"],
      },
    );
    const role = payload.role;
    if (typeof payload.sub !== "string" || !UUID.test(payload.sub)) return null;
    if (typeof role !== "string" || !(roles as readonly string[]).includes(role)) return null;
    return { claims: { userId: payload.sub, role: role as Role }, expiresAt: payload.exp! };
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}
