// Password hashing: PBKDF2-HMAC-SHA256 through WebCrypto, stored as a versioned string so the
// parameters can be raised later and old hashes upgraded on the next successful login.
//
//   pbkdf2-sha256$v1$<iterations>$<salt, base64url>$<derived key, base64url>
//
// v1: the password is NFKC-normalised and UTF-8 encoded; 16-byte random salt; 32-byte key.
// Production Workers refuse a PBKDF2 call above 100,000 iterations (NotSupportedError), so that
// is the count. The open-source workerd used by wrangler dev and the tests does NOT enforce the
// cap; tests/worker/auth.test.ts emulates it instead. See docs/decisions/0001-auth.md.
import { constantTimeEqual, fromBase64Url, toBase64Url } from "./encoding.ts";

export const PBKDF2_SCHEME = "pbkdf2-sha256";
export const PBKDF2_VERSION = "v1";
/** The highest count production Workers accept (higher counts throw NotSupportedError there). */
export const PBKDF2_MAX_WORKERS_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = PBKDF2_MAX_WORKERS_ITERATIONS;
const SALT_BYTES = 16;
const KEY_BITS = 256;

type ParsedHash = { scheme: string; version: string; iterations: number; salt: Uint8Array<ArrayBuffer>; hash: Uint8Array<ArrayBuffer> };

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password.normalize("NFKC")), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, KEY_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, options: { iterations?: number } = {}): Promise<string> {
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return [PBKDF2_SCHEME, PBKDF2_VERSION, String(iterations), toBase64Url(salt), toBase64Url(hash)].join("$");
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 5) return null;
  const [scheme, version, iterationsText, saltText, hashText] = parts as [string, string, string, string, string];
  if (!/^[1-9][0-9]{0,8}$/.test(iterationsText)) return null;
  const salt = fromBase64Url(saltText);
  const hash = fromBase64Url(hashText);
  if (!salt || !hash || salt.byteLength === 0 || hash.byteLength === 0) return null;
  return { scheme, version, iterations: Number(iterationsText), salt, hash };
}

export type PasswordCheck = { ok: boolean; needsRehash: boolean };

export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const parsed = parseHash(stored);
  if (
    !parsed ||
    parsed.scheme !== PBKDF2_SCHEME ||
    parsed.version !== PBKDF2_VERSION ||
    parsed.iterations > PBKDF2_MAX_WORKERS_ITERATIONS
  ) {
    // Unknown or unusable format: spend the same time as a real check, then refuse.
    await burnPasswordCheck(password);
    return { ok: false, needsRehash: false };
  }
  const candidate = await derive(password, parsed.salt, parsed.iterations);
  const ok = constantTimeEqual(candidate, parsed.hash);
  const needsRehash = ok && (parsed.iterations !== PBKDF2_ITERATIONS || parsed.salt.byteLength !== SALT_BYTES || parsed.hash.byteLength !== KEY_BITS / 8);
  return { ok, needsRehash };
}

const DUMMY_SALT = new Uint8Array(SALT_BYTES);

/** A full-cost derivation whose result is thrown away, so unknown accounts take as long as known ones. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await derive(password, DUMMY_SALT, PBKDF2_ITERATIONS);
}
