// The downloadable MP4: the finished top rung and the audio rendition joined (rendition-file.ts)
// and remuxed into one progressive MP4 — no re-encode (`-c copy`), the index at the front
// (`+faststart`) so it plays while it downloads. Idempotent: a redelivered task writes the same key.
import path from "node:path";
import { AUDIO_RENDITION, mediaKeys, storedObjectMetadata } from "../../../contract/media-layout.ts";
import { runFfmpeg } from "../ffmpeg-process.ts";
import { JobFailure } from "../failures.ts";
import { createJobDir, removeJobDir } from "../work-dir.ts";
import type { TaskDeps } from "./chunk-job.ts";
import { assertFfmpegSucceeded } from "./ffmpeg-exit.ts";
import { writeRenditionFile } from "./rendition-file.ts";
import type { DownloadTask } from "./task-contract.ts";

/** Wall-clock budget: copying streams runs far faster than real time; a stuck run is killed. */
export const remuxBudgetMs = (mediaSeconds: number): number => 60_000 + mediaSeconds * 500;

export function buildRemuxArgs(videoFile: string, audioFile: string | null, outFile: string): string[] {
  return [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    "-i", videoFile,
    ...(audioFile ? ["-i", audioFile] : []),
    "-map", "0:v:0",
    ...(audioFile ? ["-map", "1:a:0"] : []),
    "-c", "copy",
    "-movflags", "+faststart",
    "-f", "mp4", outFile,
  ];
}

export async function runDownloadTask(task: DownloadTask, deps: TaskDeps, signal: AbortSignal): Promise<{ keys: string[] }> {
  const { download } = task;
  const key = mediaKeys(task.videoId).download(download.token);
  const dir = await createJobDir(deps.config.workDir, task.videoId);
  try {
    const videoFile = path.join(dir, "video.mp4");
    const audioFile = download.hasAudio ? path.join(dir, "audio.mp4") : null;
    const outFile = path.join(dir, "download.mp4");
    const started = Date.now();
    await Promise.all([
      writeRenditionFile(deps.storage, task.videoId, download.rendition, videoFile, signal),
      audioFile ? writeRenditionFile(deps.storage, task.videoId, AUDIO_RENDITION, audioFile, signal) : null,
    ]);
    const fetchSeconds = (Date.now() - started) / 1000;
    const run = runFfmpeg({ ffmpegPath: deps.config.ffmpegPath, args: buildRemuxArgs(videoFile, audioFile, outFile), signal, timeoutMs: remuxBudgetMs(download.durationSeconds) });
    assertFfmpegSucceeded(await run.done, signal);
    const remuxSeconds = (Date.now() - started) / 1000 - fetchSeconds;
    try {
      await deps.storage.putFile(key, outFile, { ...storedObjectMetadata(key), signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new JobFailure("storage_error", undefined, `${key}: ${String(error)}`);
    }
    deps.log.info("download done", { videoId: task.videoId, rendition: download.rendition, fetchSeconds, remuxSeconds, uploadSeconds: (Date.now() - started) / 1000 - fetchSeconds - remuxSeconds });
    return { keys: [key] };
  } finally {
    await removeJobDir(dir).catch(() => {});
  }
}
