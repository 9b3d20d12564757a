// The R2 layout and how each object is served: the one place a storage key is spelled.
// Dependency-free; imported by the Worker (`#contract/media-layout.ts`) and the transcoder.
//
//   uploads/<videoId>/source                 the original upload
//   videos/<videoId>/master.m3u8             multivariant playlist
//   videos/<videoId>/<rendition>/            init.mp4, seg_00001.m4s …, playlist.m3u8
//                                            (renditions: "1080p" … "240p", and "audio")
//   videos/<videoId>/poster.jpg, thumbs/<n>.jpg, storyboard.vtt, storyboard/<n>.jpg
//   videos/<videoId>/posters/<token>.jpg      a poster the creator chose: a thumb, or an uploaded image re-encoded
//   videos/<videoId>/download/<token>.mp4    the downloadable MP4 (a new token each time downloads
//                                            are turned on, so a turned-off one is never found again)
//   videos/<videoId>/.private                marker: unsigned media URLs refuse to serve; with
//                                            state "withdrawn" (deleted video) nothing is served
//   deletions/<videoId>                      a deleted video whose prefix the sweep empties
//                                            until no task of it can write any more

export const MASTER_NAME = "master.m3u8";
export const PLAYLIST_NAME = "playlist.m3u8";
export const INIT_NAME = "init.mp4";
export const AUDIO_RENDITION = "audio";
export const PRIVATE_MARKER_NAME = ".private";
export const DOWNLOAD_DIR = "download";
/** A download token: what the Worker makes (crypto.randomUUID without dashes) and the transcoder accepts. */
export const DOWNLOAD_TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** Segment file name, relative to its rendition folder. Numbering starts at 1. */
export const segmentName = (index: number): string => `seg_${String(index).padStart(5, "0")}.m4s`;
/** Rendition playlist URI relative to the master playlist. */
export const renditionPlaylistUri = (rendition: string): string => `${rendition}/${PLAYLIST_NAME}`;

export const sourceKey = (videoId: string): string => `uploads/${videoId}/source`;
export const videoPrefix = (videoId: string): string => `videos/${videoId}/`;
/** Present while uploads or transcodes are unfinished: the cron touches the database only then. */
export const SWEEP_WORK_KEY = "control/sweep-work";
/** Tombstone of a deleted video (customMetadata MARKER_METADATA.purgeAfter: ISO time). */
export const deletionKey = (videoId: string): string => `deletions/${videoId}`;
export const DELETIONS_PREFIX = "deletions/";

/** customMetadata fields of the private marker and the deletion tombstone. */
export const MARKER_METADATA = {
  /** On the private marker: "private" (signed URLs only; also when absent) or "withdrawn" (nothing). */
  state: "state",
  /** On the tombstone: after this time no task of the video can still write. */
  purgeAfter: "purge-after", // lower case: S3 clients send metadata names that way
} as const;
export type MarkerState = "private" | "withdrawn";

export const mediaKeys = (videoId: string) => {
  const prefix = videoPrefix(videoId);
  return {
    prefix,
    master: `${prefix}${MASTER_NAME}`,
    privateMarker: `${prefix}${PRIVATE_MARKER_NAME}`,
    renditionPrefix: (rendition: string) => `${prefix}${rendition}/`,
    init: (rendition: string) => `${prefix}${rendition}/${INIT_NAME}`,
    segment: (rendition: string, index: number) => `${prefix}${rendition}/${segmentName(index)}`,
    playlist: (rendition: string) => `${prefix}${rendition}/${PLAYLIST_NAME}`,
    poster: `${prefix}poster.jpg`,
    thumbnail: (n: number) => `${prefix}thumbs/${n}.jpg`,
    /** Where the posters a creator chose live (a copy of a candidate, or an uploaded image re-encoded). */
    chosenPosterPrefix: `${prefix}posters/`,
    /** A chosen poster: a new name each time, so caches never show the old one. */
    chosenPoster: (token: string) => `${prefix}posters/${token}.jpg`,
    storyboardVtt: `${prefix}storyboard.vtt`,
    /** One sprite per storyboard sheet (a chunk of the timeline), referenced from the VTT. */
    storyboardSheet: (n: number) => `${prefix}storyboard/${n}.jpg`,
    /** Everything of the downloadable MP4 (what turning downloads off deletes). */
    downloadPrefix: `${prefix}${DOWNLOAD_DIR}/`,
    download: (token: string) => `${prefix}${DOWNLOAD_DIR}/${token}.mp4`,
  };
};

/** A key relative to the video's prefix (what playlists and the /media URL base use). */
export function relativeToVideo(videoId: string, key: string): string {
  const prefix = videoPrefix(videoId);
  if (!key.startsWith(prefix)) throw new Error(`${key} is not under ${prefix}`);
  return key.slice(prefix.length);
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
// Path segments start with a letter, digit, "_" or "-": dot-files (the private marker) are never served.
const SERVED_PATH = "(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*";
const servedKeyPattern = new RegExp(`^videos\\/(${UUID})\\/(${SERVED_PATH})$`);

/** A key a viewer may ask for under /media: returns its video id, or null. */
export function parseServedKey(key: string): { videoId: string; path: string } | null {
  const match = servedKeyPattern.exec(key);
  return match ? { videoId: match[1]!, path: match[2]! } : null;
}

/** True for the path (relative to the video's prefix, as parseServedKey gives it) of a downloadable MP4. */
export const isDownloadPath = (path: string): boolean => path.startsWith(`${DOWNLOAD_DIR}/`) && path.endsWith(".mp4");

/** The query parameter of a download URL that names the saved file (the title: /media reads no database). */
export const DOWNLOAD_NAME_PARAM = "name";

/**
 * Content-Disposition of a download: saved as `<title>.mp4`, with anything a file system or the
 * header could trip on (quotes, slashes, control characters) replaced; an ASCII `filename` for
 * old clients and the UTF-8 title as `filename*` (RFC 6266). Never empty.
 */
export function downloadDisposition(title: string | null | undefined): string {
  // \p{Cs}: a lone surrogate (JSON lets one through) would make encodeURIComponent throw.
  const cleaned = (title ?? "")
    .replace(/[\p{Cc}\p{Cf}\p{Cs}"\\/:*?<>|;%]+/gu, " ")
    .normalize("NFC")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "");
  const clean = Array.from(cleaned).slice(0, 100).join("").trim() || "video";
  const ascii = clean.normalize("NFKD").replace(/[^\x20-\x7e]/g, "").replace(/\s+/g, " ").trim() || "video";
  const encoded = encodeURIComponent(`${clean}.mp4`).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.mp4"; filename*=UTF-8''${encoded}`;
}

/** True for keys under a rendition folder (what a re-run of the ladder rewrites and prunes). */
export function isRenditionObject(videoId: string, key: string): boolean {
  const rest = key.startsWith(videoPrefix(videoId)) ? key.slice(videoPrefix(videoId).length) : null;
  return rest !== null && /^(?:\d+p|audio|thumbs|storyboard)\//.test(rest);
}

// ---- serving policy: content type and cache lifetime, by kind of object ----

const contentTypes: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  ts: "video/mp2t",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  vtt: "text/vtt; charset=utf-8",
};

export function contentTypeFor(key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1).toLowerCase();
  return contentTypes[ext] ?? "application/octet-stream";
}

// Media can be withdrawn (deleted, made private, removed) at any moment, so nothing is
// `immutable` and shared caches keep a copy at most SHARED_MAX_AGE seconds; browsers keep their
// own copy longer (they already have the bytes). The Worker's own edge cache keeps objects longer
// still, because it checks every hit against storage first (worker/media/edge-cache.ts).
// Decision: docs/decisions/0009-media-cache-and-withdrawal.md.

/** Longest a shared cache (CDN, proxy) may serve a media object without asking us again. */
export const SHARED_MAX_AGE = 60;
/** How long the Worker's Cache API keeps a copy (each hit is validated against storage). */
export const EDGE_CACHE_SECONDS = 86_400;

/** Browser lifetime in seconds, by kind of object. */
export function cacheLifetimeFor(key: string, opts: { playlistEnded?: boolean } = {}): { maxAge: number } {
  if (key.endsWith(".m3u8")) {
    if (key.endsWith(`/${MASTER_NAME}`)) return { maxAge: 60 };
    // Growing (EVENT) playlists change every few seconds; finished ones are stable.
    return { maxAge: opts.playlistEnded ? 3600 : 1 };
  }
  // Segments, init segments, images and storyboards: an hour covers a viewing session's seeks.
  return { maxAge: 3600 };
}

/**
 * Cache-Control for a media response. Signed (private) responses are private and never outlive
 * their signature; public ones let shared caches keep them at most SHARED_MAX_AGE.
 */
export function cacheControlFor(key: string, opts: { playlistEnded?: boolean; signedUntil?: number } = {}): string {
  const { maxAge } = cacheLifetimeFor(key, opts);
  if (opts.signedUntil) return `private, max-age=${Math.max(0, Math.min(maxAge, opts.signedUntil - Math.floor(Date.now() / 1000)))}`;
  return maxAge > SHARED_MAX_AGE ? `public, max-age=${maxAge}, s-maxage=${SHARED_MAX_AGE}` : `public, max-age=${maxAge}`;
}

/** Cache-Tag of every media response of a video (production purge by tag: docs/security.md). */
export const mediaCacheTag = (videoId: string): string => `video-${videoId}`;

/** Metadata stored with an object when it is written (the /media route sets its own headers). */
export function storedObjectMetadata(key: string): { contentType: string; cacheControl: string } {
  return { contentType: contentTypeFor(key), cacheControl: cacheControlFor(key) };
}

// ---- captions: WebVTT per language (decision 0012) ----
//   videos/<videoId>/captions/<lang>/<version>.vtt    the sanitised WebVTT (a new upload, a new version)
//   videos/<videoId>/captions/<lang>/<version>.m3u8   its HLS subtitle playlist (one segment)
// The Worker adds a SUBTITLES group to the master playlist when it serves it (worker/media/master-captions.ts).

export const CAPTIONS_DIR = "captions";
/** GROUP-ID of the master playlist's SUBTITLES group. */
export const SUBTITLES_GROUP = "subs";
/** customMetadata on a caption playlist: what the master's EXT-X-MEDIA line needs, without the database. */
export const CAPTION_METADATA = { lang: "lang", label: "label" } as const;

export const captionsPrefix = (videoId: string): string => `${videoPrefix(videoId)}${CAPTIONS_DIR}/`;
export const captionKeys = (videoId: string, lang: string, version: string) => {
  const base = `${captionsPrefix(videoId)}${lang}/${version}`;
  return { vtt: `${base}.vtt`, playlist: `${base}.m3u8` };
};
/** The playlist key that goes with a stored WebVTT key. */
export const captionPlaylistKeyOf = (vttKey: string): string => vttKey.replace(/\.vtt$/, ".m3u8");
