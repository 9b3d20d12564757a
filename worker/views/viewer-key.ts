// Who watched, for deduplication: the user id when signed in, otherwise a keyed hash of the
// client address. Only what a client cannot vary freely goes in: not the User-Agent (any string
// the client likes) and, for IPv6, only the /64 network (see address-bucket.ts). The raw address
// is never stored or queued.
import { addressBucket } from "../http/address-bucket.ts";

const encoder = new TextEncoder();
// Imported once per secret and isolate, not on every anonymous view report.
const keys = new Map<string, Promise<CryptoKey>>();

function hashKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

export async function viewerKey(secret: string, user: { id: string } | null, address: string): Promise<string> {
  if (user) return `u:${user.id}`;
  const key = await hashKey(secret);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`address|${addressBucket(address)}`));
  return `a:${[...new Uint8Array(mac).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export const hourBucket = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);

/** A view counts once the viewer watched at least min(10 s, half the video). */
export function countsAsView(watchedSeconds: number, durationSeconds: number | null): boolean {
  const threshold = durationSeconds && durationSeconds > 0 ? Math.min(10, durationSeconds / 2) : 10;
  return watchedSeconds >= threshold;
}
