// Spawning FFmpeg/FFprobe: progress from `-progress pipe:1`, a bounded stderr tail for error
// reports, and a hard kill on abort (a cancelled job must stop writing immediately; SIGTERM
// would let FFmpeg finish its playlists with ENDLIST).
import { spawn } from "node:child_process";

export type FfmpegProgress = {
  outTimeSeconds: number;
  speed: number | null;
  ended: boolean;
};

export type FfmpegResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  stdout: string;
};

export type FfmpegRun = {
  pid: number | undefined;
  done: Promise<FfmpegResult>;
  kill(): void;
};

const STDERR_TAIL_BYTES = 16 * 1024;
const STDOUT_MAX_BYTES = 8 * 1024 * 1024;

const WINDOW_END_LINE = /^\[http @ (?:0x)?[0-9a-f]+\] Stream ends prematurely at \d+, should be \d+\n?/gm;

export function runFfmpeg(options: {
  ffmpegPath: string;
  args: string[];
  signal?: AbortSignal;
  /** Called for every `-progress` block; implies stdout carries progress, not data. */
  onProgress?: (progress: FfmpegProgress) => void;
  timeoutMs?: number;
}): FfmpegRun {
  const child = spawn(options.ffmpegPath, options.args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  let lineBuffer = "";
  let block: Record<string, string> = {};

  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    // The source reader answers each request with one window; FFmpeg reports every window's end
    // as "Stream ends prematurely" and asks for the next: expected, so kept out of error text.
    stderr += chunk.replace(WINDOW_END_LINE, "");
    if (stderr.length > STDERR_TAIL_BYTES * 2) stderr = stderr.slice(-STDERR_TAIL_BYTES);
  });
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    if (!options.onProgress) {
      if (stdout.length < STDOUT_MAX_BYTES) stdout += chunk;
      return;
    }
    lineBuffer += chunk;
    let newline = lineBuffer.indexOf("\n");
    while (newline >= 0) {
      const line = lineBuffer.slice(0, newline).trim();
      lineBuffer = lineBuffer.slice(newline + 1);
      newline = lineBuffer.indexOf("\n");
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      block[key] = line.slice(eq + 1);
      if (key === "progress") {
        // out_time_us is microseconds; "N/A" before the first frame is muxed.
        const outUs = Number(block.out_time_us ?? block.out_time_ms);
        const speed = Number.parseFloat(block.speed ?? "");
        options.onProgress({
          outTimeSeconds: Number.isFinite(outUs) && outUs > 0 ? outUs / 1e6 : 0,
          speed: Number.isFinite(speed) ? speed : null,
          ended: block.progress === "end",
        });
        block = {};
      }
    }
  });

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const onAbort = () => kill();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) kill();
  const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : null;

  const done = new Promise<FfmpegResult>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ code, signal, stderrTail: stderr.slice(-STDERR_TAIL_BYTES), stdout });
    };
    child.on("error", (error) => {
      stderr += `\nspawn error: ${error.message}`;
      finish(-1, null);
    });
    child.on("close", (code, signal) => finish(code, signal));
  });

  return { pid: child.pid, done, kill };
}

/** First line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.9-0+deb12u1 ...". */
export async function ffmpegVersion(ffmpegPath: string): Promise<string> {
  const result = await runFfmpeg({ ffmpegPath, args: ["-hide_banner", "-version"], timeoutMs: 10_000 }).done;
  if (result.code !== 0) throw new Error(`ffmpeg not usable at ${ffmpegPath}: ${result.stderrTail}`);
  const first = result.stdout.split("\n")[0] ?? "";
  const match = /version\s+(\S+)/.exec(first);
  return match ? match[1] : first.trim();
}
