// Transcoder → Worker callbacks are signed: HMAC-SHA256 over "<unix seconds>.<raw body>", sent as
// `X-Transcoder-Signature: t=<seconds>,v1=<hex>`, accepted within a replay window.
export const SIGNATURE_HEADER = "x-transcoder-signature";
export const REPLAY_WINDOW_SECONDS = 300;

const encoder = new TextEncoder();

async function hmacKey(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

const toHex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

function fromHex(hex: string): Uint8Array | null {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

export async function signCallback(secret: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(`${nowSeconds}.${body}`));
  return `t=${nowSeconds},v1=${toHex(mac)}`;
}

export async function verifyCallback(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const mac = parts.v1 ? fromHex(parts.v1) : null;
  if (!Number.isInteger(t) || !mac) return false;
  if (Math.abs(nowSeconds - t) > REPLAY_WINDOW_SECONDS) return false;
  // subtle.verify compares in constant time.
  return crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), mac, encoder.encode(`${t}.${body}`));
}
