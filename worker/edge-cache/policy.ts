// Which requests the edge cache may answer and for how long. Only anonymous GETs of public
// reads: a request that carries a session (bearer token, access or refresh cookie) always goes to
// the origin, and nothing it gets back is stored. (A browser with only the session hint cookie
// is rendered anonymously by the origin too, so it may get the anonymous copy.)
import { ACCESS_COOKIE, REFRESH_COOKIE } from "../auth/cookies.ts";

/** Served as HIT for this long after it was stored. */
export const FRESH_SECONDS = 20;
/** Then served as STALE (and refreshed in the background) until it expires. */
export const STALE_SECONDS = 40;
/**
 * The longest any copy lives (FRESH + STALE = 60 s). A video made private, removed or deleted
 * stops being served by every data center within this, and at once by the one that changed it
 * (purge.ts).
 */
export const MAX_AGE_SECONDS = FRESH_SECONDS + STALE_SECONDS;

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const publicReads = [
  // API: latest/trending, one video (and its chapters track), a creator and their channel, search.
  /^\/api\/videos$/,
  new RegExp(`^/api/videos/${uuid}(/chapters\\.vtt)?$`, "i"),
  new RegExp(`^/api/creators/${uuid}(/videos)?$`, "i"),
  /^\/api\/search$/,
  // Pages: home, watch, channel.
  /^\/$/,
  new RegExp(`^/watch/${uuid}$`, "i"),
  new RegExp(`^/c/${uuid}$`, "i"),
  // The embed player, framed by other sites (anonymous there: no cookies), and its oEmbed answers.
  new RegExp(`^/embed/${uuid}$`, "i"),
  /^\/oembed$/,
];

const sessionCookies = new Set([ACCESS_COOKIE, REFRESH_COOKIE]);

function carriesSession(request: Request): boolean {
  if (request.headers.has("authorization")) return true;
  const cookie = request.headers.get("cookie");
  if (!cookie) return false;
  return cookie.split(";").some((pair) => sessionCookies.has(pair.split("=")[0]!.trim()));
}

/** An anonymous GET of a public read. */
export function isCacheable(request: Request): boolean {
  if (request.method !== "GET") return false;
  const { pathname } = new URL(request.url);
  return publicReads.some((re) => re.test(pathname)) && !carriesSession(request);
}

/** Worth keeping: a full answer that starts no session (and so is the same for everyone). */
export const isStorable = (response: Response) => response.status === 200 && !response.headers.has("set-cookie");
