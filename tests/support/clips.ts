// Small generated clips for tests and benchmarks (real FFmpeg, lavfi sources).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function makeClip(
  file: string,
  /** keyframeSeconds: the source's GOP (x264's default is 250 frames, 8.3 s at 30 fps). */
  opts: { seconds: number; width: number; height: number; fps?: number; audio?: boolean; videoBitrate?: string; keyframeSeconds?: number },
): Promise<string> {
  const fps = opts.fps ?? 30;
  const args = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", `testsrc2=size=${opts.width}x${opts.height}:rate=${fps}:duration=${opts.seconds}`];
  if (opts.audio !== false) args.push("-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${opts.seconds}`);
  args.push("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
  if (opts.keyframeSeconds) args.push("-g", String(Math.round(fps * opts.keyframeSeconds)));
  if (opts.videoBitrate) args.push("-b:v", opts.videoBitrate, "-minrate", opts.videoBitrate, "-maxrate", opts.videoBitrate, "-bufsize", opts.videoBitrate);
  if (opts.audio !== false) args.push("-c:a", "aac", "-b:a", "128k");
  args.push("-movflags", "+faststart", "-shortest", file);
  await run("ffmpeg", args);
  return file;
}
