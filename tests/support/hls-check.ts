// Reads a published HLS video back over HTTP, the way a player does, and checks what matters
// across chunk seams: continuous segment numbering, decode times that follow on exactly,
// durations that add up, every frame decodable.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { segmentTimeline } from "../../transcode-container/src/chunks/fmp4.ts";
import { parseMasterPlaylist } from "../../transcode-container/src/master-playlist.ts";
import { parseMediaPlaylist, type ParsedMediaPlaylist } from "../../transcode-container/src/media-playlist.ts";

const run = promisify(execFile);

export type RenditionCheck = {
  name: string;
  playlist: ParsedMediaPlaylist & { text: string };
  /** Segment numbers as listed (seg_00001.m4s → 1). */
  numbers: number[];
  playlistSeconds: number;
  /** Every fragment starts where the previous one ended (tfdt + duration). */
  continuous: boolean;
  /** Sum of the fragments' sample durations, in seconds. */
  mediaSeconds: number;
  /** init + every segment, as one file. */
  file: string;
};

async function bytes(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function readMaster(masterUrl: string) {
  const text = await (await fetch(masterUrl)).text();
  const audio = /#EXT-X-MEDIA:TYPE=AUDIO[^\n]*URI="([^"]+)"/.exec(text)?.[1] ?? null;
  return { text, variants: parseMasterPlaylist(text), audioUri: audio };
}

export async function checkRendition(masterUrl: string, uri: string, dir: string): Promise<RenditionCheck> {
  const playlistUrl = new URL(uri, masterUrl);
  const text = await (await fetch(playlistUrl)).text();
  const playlist = { ...parseMediaPlaylist(text), text };
  const init = await bytes(new URL(playlist.initUri!, playlistUrl));
  const segments: Uint8Array[] = [];
  for (const segment of playlist.segments) segments.push(await bytes(new URL(segment.uri, playlistUrl)));
  const { continuous, seconds } = segmentTimeline(init, segments);
  const name = uri.split("/")[0]!;
  const file = path.join(dir, `${name}.mp4`);
  await writeFile(file, Buffer.concat([init, ...segments]));
  return {
    name,
    playlist,
    numbers: playlist.segments.map((s) => Number(/seg_(\d+)\.m4s$/.exec(s.uri)?.[1] ?? NaN)),
    playlistSeconds: playlist.segments.reduce((sum, s) => sum + s.duration, 0),
    continuous,
    mediaSeconds: seconds,
    file,
  };
}

/** Frames a full decode yields, and whatever the decoder complains about. */
export async function decodeFile(file: string): Promise<{ frames: number; errors: string }> {
  const probe = await run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file]);
  const decode = await run("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-f", "null", "-"], { maxBuffer: 16 << 20 });
  return { frames: Number(probe.stdout.trim()), errors: (probe.stderr + decode.stderr).trim() };
}

export async function sourceFacts(file: string): Promise<{ frames: number; videoSeconds: number; audioSeconds: number }> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames,duration", "-of", "json", file]);
  const streams = (JSON.parse(stdout) as { streams: { codec_type: string; nb_read_frames?: string; duration?: string }[] }).streams;
  const video = streams.find((s) => s.codec_type === "video")!;
  const audio = streams.find((s) => s.codec_type === "audio");
  return { frames: Number(video.nb_read_frames), videoSeconds: Number(video.duration), audioSeconds: Number(audio?.duration ?? 0) };
}
