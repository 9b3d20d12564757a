// Shared steps of the end-to-end tests: read back what a chunked transcode published (parsed
// and checked for consistency), a rung's stored bytes and what decoding them gives.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { segmentTimeline } from "../../../transcode-container/src/chunks/fmp4.ts";
import { parseMasterPlaylist } from "../../../transcode-container/src/master-playlist.ts";
import { parseMediaPlaylist, type ParsedMediaPlaylist } from "../../../transcode-container/src/media-playlist.ts";
import type { TestBucket } from "./s3.ts";

const exec = promisify(execFile);

export type PublishedVideo = {
  keys: string[];
  masterText: string;
  master: { attributes: Record<string, string>; uri: string }[];
  /** URI of the EXT-X-MEDIA audio rendition, if the master has one. */
  audioUri: string | null;
  /** Every rendition the master references (video rungs and "audio"), by folder name. */
  playlists: Map<string, ParsedMediaPlaylist & { text: string }>;
  /** Keys under rendition folders that no playlist references (should be none). */
  orphans: string[];
  /** Segments a playlist references that storage lacks (should be none). */
  missing: string[];
};

export async function readPublished(bucket: TestBucket, videoId: string): Promise<PublishedVideo> {
  const prefix = `videos/${videoId}/`;
  const keys = await bucket.list(prefix);
  const masterText = await bucket.getText(`${prefix}master.m3u8`);
  const master = parseMasterPlaylist(masterText);
  const audioUri = /#EXT-X-MEDIA:TYPE=AUDIO[^\n]*URI="([^"]+)"/.exec(masterText)?.[1] ?? null;
  const playlists = new Map<string, ParsedMediaPlaylist & { text: string }>();
  const referenced = new Set<string>();
  const missing: string[] = [];
  for (const uri of [...master.map((v) => v.uri), ...(audioUri ? [audioUri] : [])]) {
    const rendition = uri.split("/")[0]!;
    const text = await bucket.getText(`${prefix}${uri}`);
    const parsed = parseMediaPlaylist(text);
    playlists.set(rendition, { ...parsed, text });
    for (const file of [parsed.initUri ?? "", ...parsed.segments.map((s) => s.uri)]) {
      const key = `${prefix}${rendition}/${file}`;
      referenced.add(key);
      if (!keys.includes(key)) missing.push(key);
    }
    referenced.add(`${prefix}${uri}`);
  }
  const orphans = keys.filter((k) => /\/(\d+p|audio)\//.test(k) && !referenced.has(k));
  return { keys, masterText, master, audioUri, playlists, orphans, missing };
}

export type StoredRendition = {
  /** Every fragment's decode time is the previous one's end (tfdt + sample durations). */
  continuous: boolean;
  /** Sum of the fragments' sample durations, in seconds. */
  mediaSeconds: number;
  /** init + every segment as one file (under `dir`). */
  file: string;
};

/** Downloads a rendition as stored (init and every listed segment) and checks its timeline. */
export async function readStoredRendition(bucket: TestBucket, videoId: string, rendition: string, dir: string): Promise<StoredRendition> {
  const prefix = `videos/${videoId}/${rendition}/`;
  const parsed = parseMediaPlaylist(await bucket.getText(`${prefix}playlist.m3u8`));
  const init = (await bucket.getBytes(`${prefix}${parsed.initUri}`)).bytes;
  const segments = await Promise.all(parsed.segments.map(async (s) => (await bucket.getBytes(`${prefix}${s.uri}`)).bytes));
  const timeline = segmentTimeline(init, segments);
  const file = path.join(dir, `${videoId}-${rendition}.mp4`);
  await writeFile(file, Buffer.concat([init, ...segments]));
  return { continuous: timeline.continuous, mediaSeconds: timeline.seconds, file };
}

/** ffprobe of a rung as stored: init.mp4 + its first media segment, downloaded from storage. */
export async function probeStoredRung(
  bucket: TestBucket,
  videoId: string,
  rung: string,
): Promise<{ width: number; height: number; r_frame_rate: string; codec_name: string; profile: string; field_order?: string }[]> {
  const prefix = `videos/${videoId}/${rung}/`;
  const parsed = parseMediaPlaylist(await bucket.getText(`${prefix}playlist.m3u8`));
  const init = (await bucket.getBytes(`${prefix}${parsed.initUri}`)).bytes;
  const first = (await bucket.getBytes(`${prefix}${parsed.segments[0].uri}`)).bytes;
  const dir = await mkdtemp(path.join(os.tmpdir(), "stored-rung-"));
  try {
    const file = path.join(dir, "sample.mp4");
    await writeFile(file, Buffer.concat([init, first]));
    const { stdout } = await exec("ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", file]);
    return (JSON.parse(stdout) as { streams: never[] }).streams;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function durations(playlist: ParsedMediaPlaylist): string[] {
  return playlist.segments.map((s) => s.duration.toFixed(3));
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Child processes of a pid (to check that no FFmpeg is left running). */
export async function childProcesses(pid: number): Promise<string[]> {
  try {
    const { stdout } = await exec("ps", ["-o", "pid=,comm=", "--ppid", String(pid)]);
    return stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}
