// A view token is handed out with a playable video's metadata (GET /api/videos/:id → viewToken)
// and must come back with the view report. It proves the report follows a real load of that
// video's metadata and dates it: a report cannot claim more watch time than the wall time since
// the token was issued (plus a little slack), a token is for one video, and it expires.
// HS256 (jose) with a key derived from VIEWER_HASH_SECRET, so no new secret is needed.
import { SignJWT, errors, jwtVerify } from "jose";
import { Problem } from "../http/problem.ts";

/** Long enough for a page left open a while; a player with an expired token fetches a fresh one. */
export const VIEW_TOKEN_TTL_SECONDS = 6 * 60 * 60;
/** Rounding of `iat` to whole seconds and client clocks between timeupdates. */
export const WATCH_TIME_SLACK_SECONDS = 2;

const AUDIENCE = "views";
const encoder = new TextEncoder();
const keys = new Map<string, Promise<Uint8Array>>();

// A separate key per purpose: the viewer-key hash and the token never share one.
function tokenKey(secret: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((k) => crypto.subtle.sign("HMAC", k, encoder.encode("edge-video view token v1")))
      .then((mac) => new Uint8Array(mac));
    keys.set(secret, key);
  }
  return key;
}

export async function issueViewToken(secret: string, videoId: string, nowMs = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "view+jwt" })
    .setSubject(videoId)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + VIEW_TOKEN_TTL_SECONDS)
    .sign(await tokenKey(secret));
}

const refused = (detail: string) => new Problem({ status: 422, detail, errors: [{ path: "viewToken", message: detail }] });

/**
 * Checks the token belongs to `videoId`, is unexpired, and was issued at least `watchedSeconds`
 * (less the slack) ago; otherwise a 422 problem.
 */
export async function checkViewToken(secret: string, token: string, videoId: string, watchedSeconds: number, nowMs = Date.now()): Promise<void> {
  let issuedAt: number;
  try {
    const { payload } = await jwtVerify(token, await tokenKey(secret), {
      algorithms: ["HS256"],
      typ: "view+jwt",
      audience: AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ["sub", "iat", "exp"],
    });
    if (payload.sub !== videoId) throw refused("This view token is for another video.");
    issuedAt = payload.iat!;
  } catch (err) {
    if (err instanceof Problem) throw err;
    if (err instanceof errors.JWTExpired) throw refused("This view token has expired. Load the video again.");
    throw refused("This view token is not valid.");
  }
  const elapsed = nowMs / 1000 - issuedAt;
  if (watchedSeconds > elapsed + WATCH_TIME_SLACK_SECONDS) {
    throw refused(`${watchedSeconds} s of watching cannot have happened in the ${Math.max(0, Math.floor(elapsed))} s since this token was issued.`);
  }
}
