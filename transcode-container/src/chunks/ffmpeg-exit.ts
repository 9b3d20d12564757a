// How a task's FFmpeg run ended, as a failure a person understands (or nothing when it worked).
import type { FfmpegResult } from "../ffmpeg-process.ts";
import { JobFailure, looksLikeSourceFetchError } from "../failures.ts";

export function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 300) ?? "";
}

export function assertFfmpegSucceeded(exit: FfmpegResult, signal: AbortSignal): void {
  if (signal.aborted) throw new JobFailure("internal", undefined, "cancelled");
  if (exit.code === 0) return;
  if (looksLikeSourceFetchError(exit.stderrTail)) throw new JobFailure("source_unavailable", undefined, firstLine(exit.stderrTail));
  throw new JobFailure("corrupt", undefined, firstLine(exit.stderrTail) || `ffmpeg exit ${exit.code}`);
}
