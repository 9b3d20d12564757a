// Playback extras (API.md "Playback extras"): resume points, start times in links, poster
// candidates, embed sizes. Dependency-free: the Worker and the browser share these rules.

/** Generated poster candidates a creator may pick (`PUT /api/videos/:id/poster { frame }`). */
export const POSTER_FRAMES = 4;

// A custom poster image (`PUT /api/videos/:id/poster` with an image body): decoded, scaled to the
// generated poster's size and re-encoded as JPEG, never stored as sent.
export const POSTER_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export const POSTER_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/**
 * Largest image decoded, read from its header before any decoding (a small file can declare a
 * huge canvas). The Worker has 128 MB: decoding, cropping and scaling hold about 20 bytes a
 * pixel at the peak, and the codecs' wasm memories keep their high-water mark. Measured (Node,
 * the same codecs): a 2560 × 1440 JPEG made into a poster grows the process by ~80 MB over the
 * codecs' code, a 3840 × 2160 one by ~165 MB. 1440p (and the 1280 × 720 a thumbnail usually is)
 * fits; the poster itself is at most 1280 px wide.
 */
export const POSTER_IMAGE_MAX_PIXELS = 2560 * 1440;
/** Longest side accepted (a 1 × 6 million strip is no poster either). */
export const POSTER_IMAGE_MAX_SIDE = 8192;

/** A saved position may pass the known duration by this much (players report a little past the end). */
export const PROGRESS_SLACK_SECONDS = 10;
/** Longest video the platform accepts a position for when its duration is not known yet (24 h). */
export const PROGRESS_MAX_SECONDS = 24 * 3600;
/** The player saves the position at most this often while playing (and once on pagehide). */
export const PROGRESS_SAVE_INTERVAL_MS = 10_000;
/** Positions this close to the start are not worth offering. */
export const RESUME_MIN_SECONDS = 5;
/** In the last 5 % of the video the viewer has finished it: nothing to resume. */
export const FINISHED_FRACTION = 0.95;

/** Where to offer resuming from a saved position, or null (too early, finished, or nothing saved). */
export function resumePoint(seconds: number | null | undefined, durationSeconds: number | null): number | null {
  if (seconds == null || !Number.isFinite(seconds) || seconds < RESUME_MIN_SECONDS) return null;
  if (durationSeconds && seconds >= durationSeconds * FINISHED_FRACTION) return null;
  return Math.floor(seconds);
}

/** Highest position accepted for a video of this duration. */
export const progressCeiling = (durationSeconds: number | null): number =>
  durationSeconds ? durationSeconds + PROGRESS_SLACK_SECONDS : PROGRESS_MAX_SECONDS;

/**
 * A start time from a link's `?t=`: plain seconds ("90", "90.5"), "90s", or "1h2m3s"/"1m30s".
 * Anything else (negative, empty, garbage, absurdly large) is null.
 */
export function parseStartTime(value: string | null | undefined): number | null {
  if (!value || value.length > 20) return null;
  const plain = /^(\d{1,6})(?:\.(\d{1,3}))?s?$/.exec(value);
  if (plain) {
    const seconds = Number(plain[1]) + (plain[2] ? Number(`0.${plain[2]}`) : 0);
    return seconds > 0 && seconds <= PROGRESS_MAX_SECONDS ? seconds : null;
  }
  const parts = /^(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s)?$/.exec(value);
  if (!parts || (!parts[1] && !parts[2] && !parts[3])) return null;
  const seconds = Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
  return seconds > 0 && seconds <= PROGRESS_MAX_SECONDS ? seconds : null;
}

/** The `?t=` value of a link at this time: whole seconds, as "1m30s" style. */
export function formatStartTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${rest}s`;
}

// ---- oEmbed (GET /oembed) ----

export const OEMBED_DEFAULT_WIDTH = 640;
/** Largest frame the oEmbed answer proposes, whatever maxwidth asks for. */
export const OEMBED_MAX_WIDTH = 1920;

/** The iframe size for a video of this aspect, within maxwidth/maxheight. */
export function embedSize(video: { width: number | null; height: number | null }, max: { width?: number; height?: number }): { width: number; height: number } {
  const aspect = video.width && video.height ? video.width / video.height : 16 / 9;
  let width = Math.min(max.width ?? OEMBED_DEFAULT_WIDTH, OEMBED_MAX_WIDTH);
  let height = Math.round(width / aspect);
  if (max.height && height > max.height) {
    height = max.height;
    width = Math.round(height * aspect);
  }
  return { width: Math.max(1, Math.round(width)), height: Math.max(1, height) };
}

/** The embed page's URL for a video (what the iframe loads). */
export const embedPath = (videoId: string): string => `/embed/${videoId}`;

/** The iframe code for an embed; `src` must already be an absolute URL of ours. */
export function iframeHtml(src: string, title: string, size: { width: number; height: number }): string {
  const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<iframe src="${attr(src)}" width="${size.width}" height="${size.height}" title="${attr(title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`;
}
