// Private media is reachable only under a signed, expiring path prefix:
//   /media/s/<expires>.<signature>/videos/<id>/...
// The signature covers the video id and expiry, so relative URLs inside playlists keep the prefix
// and playlists never need rewriting.
import { constantTimeEqual, toBase64Url } from "../auth/encoding.ts";

const encoder = new TextEncoder();

export const SIGNED_MEDIA_TTL_SECONDS = 6 * 60 * 60;

async function key(secret: string) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function signMediaPrefix(secret: string, videoId: string, expiresAt: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(`${videoId}.${expiresAt}`));
  return `s/${expiresAt}.${toBase64Url(new Uint8Array(mac))}`;
}

export type PrefixCheck = "ok" | "expired" | "invalid";

export async function verifyMediaPrefix(secret: string, videoId: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<PrefixCheck> {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return "invalid";
  const expiresAt = Number(match[1]);
  // Recompute the prefix and compare it whole, in constant time (the exact text, so no other
  // spelling of the same MAC is accepted).
  const expected = await signMediaPrefix(secret, videoId, expiresAt);
  if (!constantTimeEqual(encoder.encode(`s/${token}`), encoder.encode(expected))) return "invalid";
  return expiresAt < nowSeconds ? "expired" : "ok";
}
