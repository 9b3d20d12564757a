// Small test clips generated with FFmpeg's lavfi sources (testsrc2 picture, sine tone), so the
// suite needs no binary fixtures and stays fast.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export async function ffmpeg(args: string[]): Promise<void> {
  await exec("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args], { maxBuffer: 16 << 20 });
}

export type ClipOptions = {
  width: number;
  height: number;
  seconds: number;
  /** Frames per second, or a rational such as "60000/1001". */
  rate?: number | string;
  audio?: boolean;
  /** Write the moov atom first (so a truncated copy still probes). */
  faststart?: boolean;
  container?: "mp4" | "mkv";
};

export async function makeClip(dir: string, name: string, o: ClipOptions): Promise<string> {
  const file = path.join(dir, `${name}.${o.container ?? "mp4"}`);
  const args = ["-f", "lavfi", "-i", `testsrc2=size=${o.width}x${o.height}:rate=${o.rate ?? 30}:duration=${o.seconds}`];
  if (o.audio) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`);
  args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
  if (o.audio) args.push("-c:a", "aac", "-b:a", "96k");
  if (o.faststart) args.push("-movflags", "+faststart");
  args.push(file);
  await ffmpeg(args);
  return file;
}

/** Same picture stream, with a display matrix that rotates it a quarter turn. */
export async function makeRotatedClip(dir: string, name: string, source: string, degrees: number): Promise<string> {
  const file = path.join(dir, `${name}.mp4`);
  await ffmpeg(["-i", source, "-c", "copy", "-metadata:s:v:0", `rotate=${degrees}`, file]);
  return file;
}

/** Variable frame rate: 2 s at 15 fps then 2 s at 30 fps, timestamps kept as they are. */
export async function makeVfrClip(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.mp4`);
  await ffmpeg([
    "-filter_complex",
    "testsrc2=s=320x240:r=15:d=2[a];testsrc2=s=320x240:r=30:d=2[b];[a][b]concat=n=2:v=1:a=0",
    "-fps_mode", "vfr",
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
    file,
  ]);
  return file;
}

/** Interlaced (top field first) PAL-sized clip, as from a camcorder or broadcast capture. */
export async function makeInterlacedClip(dir: string, name: string, seconds = 2): Promise<string> {
  const file = path.join(dir, `${name}.mp4`);
  await ffmpeg([
    "-f", "lavfi", "-i", `testsrc2=size=720x576:rate=25:duration=${seconds}`,
    "-vf", "setfield=tff", "-flags", "+ildct+ilme",
    "-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "tff=1", "-pix_fmt", "yuv420p",
    file,
  ]);
  return file;
}

export async function makeAudioOnly(dir: string, name: string, seconds: number): Promise<string> {
  const file = path.join(dir, `${name}.m4a`);
  await ffmpeg(["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`, "-c:a", "aac", file]);
  return file;
}

/** Declares a picture wider than the 8192 px limit (lossless codec, a few frames). */
export async function makeHugeClip(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.mkv`);
  await ffmpeg(["-f", "lavfi", "-i", "color=c=gray:size=8400x16:rate=5:duration=0.4", "-c:v", "ffv1", file]);
  return file;
}

export async function makeTextFile(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.mp4`);
  await writeFile(file, "This is not a video, just some text pretending to be one.\n".repeat(200));
  return file;
}

/** Keeps the first `fraction` of a file: an MP4 cut off mid-upload. */
export async function truncateCopy(source: string, target: string, fraction: number): Promise<string> {
  const bytes = await readFile(source);
  await writeFile(target, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return target;
}
