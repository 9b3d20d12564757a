// Captions in HLS: each language's subtitle playlist (one WebVTT segment covering the whole
// video, a valid VOD playlist even while the video itself is still an EVENT playlist) and the
// SUBTITLES group added to the transcoder's master playlist when it is served. Pure functions.
import { SUBTITLES_GROUP } from "#contract/media-layout.ts";

export type SubtitleTrack = { lang: string; label: string; uri: string };

/** The subtitle media playlist; `vttUri` is relative to the playlist. */
export function renderSubtitlePlaylist(vttUri: string, durationSeconds: number): string {
  const duration = Math.max(1, durationSeconds);
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(duration)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    `#EXTINF:${duration.toFixed(3)},`,
    vttUri,
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
}

/** A quoted-string attribute value: no double quote, CR or LF (RFC 8216 §4.2). */
const quoted = (value: string) => `"${value.replace(/["\r\n]/g, "'")}"`;

/**
 * The master playlist with one EXT-X-MEDIA TYPE=SUBTITLES line per track (before the first
 * variant) and SUBTITLES="subs" on every EXT-X-STREAM-INF. NAMEs are unique within the group.
 */
export function addSubtitlesGroup(master: string, tracks: SubtitleTrack[]): string {
  if (tracks.length === 0) return master;
  const names = new Set<string>();
  const media = tracks.map((t) => {
    let name = t.label;
    if (names.has(name)) name = `${t.label} (${t.lang})`;
    names.add(name);
    return `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLES_GROUP}",NAME=${quoted(name)},LANGUAGE=${quoted(t.lang)},DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=${quoted(t.uri)}`;
  });
  const lines = master.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let inserted = false;
  for (const line of lines) {
    if (line.startsWith("#EXT-X-MEDIA:") && /TYPE=SUBTITLES/.test(line)) continue; // ours replace any
    if (line.startsWith("#EXT-X-STREAM-INF:")) {
      if (!inserted) {
        out.push(...media);
        inserted = true;
      }
      const attributes = line.replace(/,SUBTITLES="[^"]*"/, "");
      out.push(`${attributes},SUBTITLES="${SUBTITLES_GROUP}"`);
      continue;
    }
    out.push(line);
  }
  if (!inserted) return master; // no variants (not a master playlist): leave it alone
  return out.join("\n");
}
