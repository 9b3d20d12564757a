// The R2 layout and how each object is served: the one place a storage key is spelled.
// Dependency-free; imported by the Worker (`#contract/media-layout.ts`) and the transcoder.
//
//   uploads/<videoId>/source                 the original upload
//   videos/<videoId>/master.m3u8             multivariant playlist
//   videos/<videoId>/<rendition>/            init.mp4, seg_00001.m4s …, playlist.m3u8
//                                            (renditions: "1080p" … "240p", and "audio")
//   videos/<videoId>/poster.jpg, thumbs/<n>.jpg, storyboard.vtt, storyboard/<n>.jpg
//   videos/<videoId>/.private                marker: unsigned media URLs refuse to serve

export const MASTER_NAME = "master.m3u8";
export const PLAYLIST_NAME = "playlist.m3u8";
export const INIT_NAME = "init.mp4";
export const AUDIO_RENDITION = "audio";
export const PRIVATE_MARKER_NAME = ".private";

/** Segment file name, relative to its rendition folder. Numbering starts at 1. */
export const segmentName = (index: number): string => `seg_${String(index).padStart(5, "0")}.m4s`;
/** Rendition playlist URI relative to the master playlist. */
export const renditionPlaylistUri = (rendition: string): string => `${rendition}/${PLAYLIST_NAME}`;

export const sourceKey = (videoId: string): string => `uploads/${videoId}/source`;
export const videoPrefix = (videoId: string): string => `videos/${videoId}/`;

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
    storyboardVtt: `${prefix}storyboard.vtt`,
    /** One sprite per storyboard sheet (a chunk of the timeline), referenced from the VTT. */
    storyboardSheet: (n: number) => `${prefix}storyboard/${n}.jpg`,
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

const YEAR = 31_536_000;

/** Lifetime in seconds and whether the bytes under this key never change. */
export function cacheLifetimeFor(key: string, opts: { playlistEnded?: boolean } = {}): { maxAge: number; immutable: boolean } {
  if (key.endsWith(".m3u8")) {
    if (key.endsWith(`/${MASTER_NAME}`)) return { maxAge: 60, immutable: false };
    // Growing (EVENT) playlists change every few seconds; finished ones are stable.
    return { maxAge: opts.playlistEnded ? 86_400 : 1, immutable: false };
  }
  if (key.endsWith(".vtt")) return { maxAge: 3600, immutable: false };
  return { maxAge: YEAR, immutable: true };
}

/**
 * Cache-Control for a media response. Signed (private) responses are private and never outlive
 * their signature.
 */
export function cacheControlFor(key: string, opts: { playlistEnded?: boolean; signedUntil?: number } = {}): string {
  const { maxAge, immutable } = cacheLifetimeFor(key, opts);
  const scope = opts.signedUntil ? "private" : "public";
  const age = opts.signedUntil ? Math.max(0, Math.min(maxAge, opts.signedUntil - Math.floor(Date.now() / 1000))) : maxAge;
  return `${scope}, max-age=${age}${immutable ? ", immutable" : ""}`;
}

/** Metadata stored with an object when it is written (the /media route sets its own headers). */
export function storedObjectMetadata(key: string): { contentType: string; cacheControl: string } {
  return { contentType: contentTypeFor(key), cacheControl: cacheControlFor(key) };
}
