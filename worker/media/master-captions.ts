// The master playlist as served: the transcoder's file plus a SUBTITLES group for the captions
// stored under the video's prefix. Still no database on the media path: one R2 list of
// captions/ (each subtitle playlist carries its language and label as customMetadata) runs
// alongside the reads the route already makes. The ETag covers the master and every caption
// version, so a conditional request sees a caption change at once. Decision 0012.
import { CAPTION_METADATA, captionsPrefix, relativeToVideo } from "#contract/media-layout.ts";
import { addSubtitlesGroup, type SubtitleTrack } from "../captions/hls.ts";

/** The subtitle tracks stored for a video, in language order (latest upload wins per language). */
export async function storedSubtitleTracks(bucket: R2Bucket, videoId: string): Promise<{ tracks: SubtitleTrack[]; versions: string[] }> {
  const listing = await bucket.list({ prefix: captionsPrefix(videoId), limit: 1000, include: ["customMetadata"] });
  const latest = new Map<string, { track: SubtitleTrack; uploaded: number; etag: string }>();
  for (const object of listing.objects) {
    if (!object.key.endsWith(".m3u8")) continue;
    const lang = object.customMetadata?.[CAPTION_METADATA.lang];
    const label = object.customMetadata?.[CAPTION_METADATA.label];
    if (!lang || label === undefined) continue;
    const seen = latest.get(lang);
    const uploaded = object.uploaded.getTime();
    if (seen && seen.uploaded >= uploaded) continue;
    latest.set(lang, { track: { lang, label: decodeURIComponent(label), uri: relativeToVideo(videoId, object.key) }, uploaded, etag: object.etag });
  }
  const entries = [...latest.values()].sort((a, b) => (a.track.lang < b.track.lang ? -1 : 1));
  return { tracks: entries.map((e) => e.track), versions: entries.map((e) => `${e.track.uri}:${e.etag}`) };
}

/** A strong ETag for the served master: the stored master's ETag and the caption versions. */
export async function servedMasterEtag(masterEtag: string, versions: string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([masterEtag, ...versions].join("\n")));
  const hex = [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"cc-${hex}"`;
}

/** True when an If-None-Match header lists this ETag (or is "*"). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

export { addSubtitlesGroup };
