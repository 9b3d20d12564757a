// HMAC-SHA256 signatures for callbacks and transcoder requests:
//   `t=<unix seconds>,sha256=<hex of the body's SHA-256>,v1=<hex HMAC of "<t>.<body hash>">`.
// The MAC covers the time and the body's hash, so a receiver checks the header — who sent it,
// and when — before reading a single byte of the body, and then only that the bytes it reads
// hash to what was signed (a forged or replayed-elsewhere body is refused either way). WebCrypto
// only (no node:crypto) so the Worker imports this same file.

const encoder = new TextEncoder();

async function hmacKey(secret: string): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hex SHA-256 of a body as sent (UTF-8 text or bytes). */
export async function bodyHash(rawBody: string | Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody));
}

export async function signCallback(
  secret: string,
  rawBody: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  const hash = await bodyHash(rawBody);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${timestamp}.${hash}`));
  return `t=${timestamp},sha256=${hash},v1=${toHex(mac)}`;
}

export type VerifyOptions = { toleranceSeconds?: number; now?: number };

/**
 * Checks the header alone: a valid MAC made within the tolerance (replay window). Returns the
 * body hash it vouches for, or null. crypto.subtle.verify compares in constant time.
 */
export async function verifySignatureHeader(secret: string, header: string | null | undefined, options: VerifyOptions = {}): Promise<string | null> {
  if (!header) return null;
  const parts = new Map<string, string[]>();
  for (const piece of header.split(",")) {
    const eq = piece.indexOf("=");
    if (eq <= 0) continue;
    const name = piece.slice(0, eq).trim();
    parts.set(name, [...(parts.get(name) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  const hash = parts.get("sha256")?.[0]?.toLowerCase();
  if (!Number.isInteger(t) || !hash || !/^[0-9a-f]{64}$/.test(hash)) return null;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return null;
  const key = await hmacKey(secret);
  for (const candidate of parts.get("v1") ?? []) {
    const mac = fromHex(candidate);
    if (mac && (await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${t}.${hash}`)))) return hash;
  }
  return null;
}

/** True if the header is valid (verifySignatureHeader) and vouches for exactly this body. */
export async function verifyCallbackSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const hash = await verifySignatureHeader(secret, header, options);
  return hash !== null && hash === (await bodyHash(rawBody));
}
