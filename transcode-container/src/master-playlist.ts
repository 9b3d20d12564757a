// Writes the master (multivariant) playlist ourselves: FFmpeg's own master is only written at
// the end, and we want it in storage as soon as every rung has its first segment.

export type MasterVariant = {
  /** URI relative to the master playlist, e.g. "720p/playlist.m3u8". */
  uri: string;
  /** Peak segment bitrate, bit/s. */
  bandwidth: number;
  /** Average segment bitrate, bit/s. */
  averageBandwidth: number;
  codecs: string;
  width: number;
  height: number;
  frameRate: number;
};

/**
 * Variants are listed with the preferred start variant first (players such as hls.js start
 * on the first listed variant unless told otherwise), then from the highest quality down.
 */
/** A separate audio rendition every variant refers to (EXT-X-MEDIA TYPE=AUDIO). */
export type MasterAudio = { groupId: string; uri: string; channels: number };

export function renderMasterPlaylist(variants: MasterVariant[], startIndex = 0, audio?: MasterAudio): string {
  const ordered = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const start = variants[startIndex];
  const list = start ? [start, ...ordered.filter((v) => v !== start)] : ordered;
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${audio.groupId}",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${audio.channels}",URI="${audio.uri}"`,
    );
  }
  for (const variant of list) {
    if (variant.uri.includes("://") || variant.uri.startsWith("/")) {
      throw new Error(`master playlist URIs must be relative: ${variant.uri}`);
    }
    const attributes = [
      `BANDWIDTH=${Math.ceil(variant.bandwidth)}`,
      `AVERAGE-BANDWIDTH=${Math.ceil(variant.averageBandwidth)}`,
      `CODECS="${variant.codecs}"`,
      `RESOLUTION=${variant.width}x${variant.height}`,
      `FRAME-RATE=${variant.frameRate.toFixed(3)}`,
      ...(audio ? [`AUDIO="${audio.groupId}"`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(",")}`, variant.uri);
  }
  return `${lines.join("\n")}\n`;
}

/** Parses EXT-X-STREAM-INF entries (used by tests and by anyone checking a published master). */
export function parseMasterPlaylist(
  text: string,
): { attributes: Record<string, string>; uri: string }[] {
  const out: { attributes: Record<string, string>; uri: string }[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const attributes: Record<string, string> = {};
    const body = line.slice("#EXT-X-STREAM-INF:".length);
    for (const match of body.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
      attributes[match[1]!] = match[2]!.replace(/^"|"$/g, "");
    }
    let j = i + 1;
    while (j < lines.length && (lines[j] === "" || lines[j]!.startsWith("#"))) j += 1;
    out.push({ attributes, uri: lines[j] ?? "" });
    i = j;
  }
  return out;
}
