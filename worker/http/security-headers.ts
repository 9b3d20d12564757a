// Security headers. API responses are never sniffed or cached by shared caches unless a route
// says otherwise; pages get a CSP that allows what the app needs (its own scripts by nonce,
// hls.js media through blob: URLs and its empty caption tracks as data: URLs, direct uploads to
// the storage endpoint) and nothing more.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context.ts";

const common = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};

export const apiSecurityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(common)) c.res.headers.set(name, value);
  if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
});

/**
 * Pages other sites may frame: the embed player only (API.md "Playback extras"). Every other page
 * refuses to be framed (frame-ancestors 'none' and X-Frame-Options: DENY).
 */
export const isFramablePage = (pathname: string): boolean => /^\/embed\/[^/]+\/?$/.test(pathname);

export function contentSecurityPolicy(opts: { nonce: string; storageOrigin: string | null; framable?: boolean }): string {
  const connect = ["'self'", opts.storageOrigin].filter(Boolean).join(" ");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    // data: only for hls.js's caption tracks: every <track> it adds (one per subtitle track,
    // src/utils/texttrack-utils.ts createTrackNode, no setting to change it) has the src
    // `data:,WEBVTT`, an empty WebVTT file the track loads so that browsers keep the cues hls.js
    // adds (Safari drops them from a track that never loaded) and Chromium's own captions menu
    // behaves. Blocked, each caption track fails to load and logs a violation. A data: URL in
    // media-src runs no script; it only lets the page play media it already holds.
    "media-src 'self' blob: data:",
    "worker-src 'self' blob:",
    `connect-src ${connect}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    opts.framable ? "frame-ancestors *" : "frame-ancestors 'none'",
  ].join("; ");
}

export function setPageSecurityHeaders(headers: Headers, csp: string, opts: { framable?: boolean } = {}): void {
  for (const [name, value] of Object.entries(common)) headers.set(name, value);
  headers.set("content-security-policy", csp);
  if (opts.framable) headers.delete("x-frame-options");
  else headers.set("x-frame-options", "DENY");
  headers.set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
  headers.set("cross-origin-opener-policy", "same-origin");
}

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
}
