// Private media is reachable only under a signed, expiring path prefix:
//   /media/s/<expires>.<signature>/videos/<id>/...
// The signature covers the video id and expiry, so relative URLs inside playlists keep the prefix
// and playlists never need rewriting.
const encoder = new TextEncoder();

export const SIGNED_MEDIA_TTL_SECONDS = 6 * 60 * 60;

function base64url(bytes: ArrayBuffer): string {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function key(secret: string, usage: "sign" | "verify") {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

export async function signMediaPrefix(secret: string, videoId: string, expiresAt: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await key(secret, "sign"), encoder.encode(`${videoId}.${expiresAt}`));
  return `s/${expiresAt}.${base64url(mac)}`;
}

export type PrefixCheck = "ok" | "expired" | "invalid";

export async function verifyMediaPrefix(secret: string, videoId: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<PrefixCheck> {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return "invalid";
  const expiresAt = Number(match[1]);
  const expected = await signMediaPrefix(secret, videoId, expiresAt);
  // Compare MACs in constant time via HMAC verify over the received value.
  const given = encoder.encode(`s/${token}`);
  const wanted = encoder.encode(expected);
  if (given.byteLength !== wanted.byteLength || !timingSafeEqual(given, wanted)) return "invalid";
  return expiresAt < nowSeconds ? "expired" : "ok";
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Marker object whose presence makes a video's unsigned media URLs refuse to serve. */
export const privateMarkerKey = (videoId: string) => `videos/${videoId}/.private`;
