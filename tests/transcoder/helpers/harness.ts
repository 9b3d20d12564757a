// Shared steps of the end-to-end tests: upload a source, build the job body the Worker would
// send, and read back what the transcoder published (parsed and checked for consistency).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parseMasterPlaylist } from "../../../transcode-container/src/master-playlist.ts";
import { parseMediaPlaylist, type ParsedMediaPlaylist } from "../../../transcode-container/src/media-playlist.ts";
import type { CallbackRecorder } from "./callback-recorder.ts";
import type { TestBucket } from "./s3.ts";

const exec = promisify(execFile);

export type TestJob = {
  videoId: string;
  jobId: string;
  attempt: number;
  body: {
    jobId: string;
    videoId: string;
    attempt: number;
    source: { url: string };
    output: { prefix: string };
    callback: { url: string };
  };
};

export async function prepareJob(bucket: TestBucket, recorder: CallbackRecorder, file: string): Promise<TestJob> {
  const videoId = randomUUID();
  const jobId = randomUUID();
  const key = `uploads/${videoId}/source`;
  await bucket.uploadFile(key, file);
  const body = {
    jobId,
    videoId,
    attempt: 1,
    source: { url: await bucket.presignGet(key) },
    output: { prefix: `videos/${videoId}/` },
    callback: { url: recorder.url },
  };
  return { videoId, jobId, attempt: 1, body };
}

export type PublishedVideo = {
  keys: string[];
  master: { attributes: Record<string, string>; uri: string }[];
  playlists: Map<string, ParsedMediaPlaylist & { text: string }>;
  /** Keys under rung folders that no playlist references (should be none). */
  orphans: string[];
  /** Segments a playlist references that storage lacks (should be none). */
  missing: string[];
};

export async function readPublished(bucket: TestBucket, videoId: string): Promise<PublishedVideo> {
  const prefix = `videos/${videoId}/`;
  const keys = await bucket.list(prefix);
  const master = parseMasterPlaylist(await bucket.getText(`${prefix}master.m3u8`));
  const playlists = new Map<string, ParsedMediaPlaylist & { text: string }>();
  const referenced = new Set<string>();
  const missing: string[] = [];
  for (const variant of master) {
    const rung = variant.uri.split("/")[0];
    const text = await bucket.getText(`${prefix}${variant.uri}`);
    const parsed = parseMediaPlaylist(text);
    playlists.set(rung, { ...parsed, text });
    for (const uri of [parsed.initUri ?? "", ...parsed.segments.map((s) => s.uri)]) {
      const key = `${prefix}${rung}/${uri}`;
      referenced.add(key);
      if (!keys.includes(key)) missing.push(key);
    }
    referenced.add(`${prefix}${variant.uri}`);
  }
  const orphans = keys.filter((k) => /\/\d+p\//.test(k) && !referenced.has(k));
  return { keys, master, playlists, orphans, missing };
}

/** ffprobe of a rung as stored: init.mp4 + its first media segment, downloaded from storage. */
export async function probeStoredRung(
  bucket: TestBucket,
  videoId: string,
  rung: string,
): Promise<{ width: number; height: number; r_frame_rate: string; codec_name: string; profile: string }[]> {
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
