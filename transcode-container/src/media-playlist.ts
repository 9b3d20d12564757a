// Reads the media playlists FFmpeg writes and renders the ones we publish. We publish our own
// rendering rather than FFmpeg's file so that the init segment has a stable name, the target
// duration never changes while the playlist grows (RFC 8216 6.2.1), and only segments that are
// already in storage are listed.

export type MediaSegment = { uri: string; duration: number };

export type ParsedMediaPlaylist = {
  initUri: string | null;
  segments: MediaSegment[];
  ended: boolean;
  playlistType: string | null;
  targetDuration: number | null;
  version: number | null;
  independentSegments: boolean;
};

export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  const lines = text.split(/\r?\n/);
  const result: ParsedMediaPlaylist = {
    initUri: null,
    segments: [],
    ended: false,
    playlistType: null,
    targetDuration: null,
    version: null,
    independentSegments: false,
  };
  let pendingDuration: number | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#EXTINF:")) {
      pendingDuration = Number.parseFloat(line.slice("#EXTINF:".length));
    } else if (line.startsWith("#EXT-X-MAP:")) {
      const match = /URI="([^"]+)"/.exec(line);
      result.initUri = match?.[1] ?? null;
    } else if (line === "#EXT-X-ENDLIST") {
      result.ended = true;
    } else if (line.startsWith("#EXT-X-PLAYLIST-TYPE:")) {
      result.playlistType = line.slice("#EXT-X-PLAYLIST-TYPE:".length);
    } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
      result.targetDuration = Number.parseInt(line.slice("#EXT-X-TARGETDURATION:".length), 10);
    } else if (line.startsWith("#EXT-X-VERSION:")) {
      result.version = Number.parseInt(line.slice("#EXT-X-VERSION:".length), 10);
    } else if (line === "#EXT-X-INDEPENDENT-SEGMENTS") {
      result.independentSegments = true;
    } else if (!line.startsWith("#")) {
      if (pendingDuration !== null && Number.isFinite(pendingDuration)) {
        result.segments.push({ uri: line, duration: pendingDuration });
      }
      pendingDuration = null;
    }
  }
  return result;
}

export type RenderMediaPlaylistInput = {
  initUri: string;
  segments: MediaSegment[];
  ended: boolean;
  /** Nominal segment length; raised if a segment rounds above it. */
  targetDuration: number;
};

export function renderMediaPlaylist(input: RenderMediaPlaylistInput): string {
  const longest = input.segments.reduce((max, s) => Math.max(max, Math.round(s.duration)), 0);
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${Math.max(input.targetDuration, longest)}`,
    "#EXT-X-MEDIA-SEQUENCE:1",
    "#EXT-X-PLAYLIST-TYPE:EVENT",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    `#EXT-X-MAP:URI="${input.initUri}"`,
  ];
  for (const segment of input.segments) {
    lines.push(`#EXTINF:${segment.duration.toFixed(6)},`, segment.uri);
  }
  if (input.ended) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}
