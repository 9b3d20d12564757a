// The audio rendition: the whole file's first audio track encoded once (AAC stereo) as its own
// HLS rendition, so chunk seams never touch audio. It is cheap, so one task does it all and
// publishes while it encodes (the playlist grows); the first published segment is announced
// with a signed "playable" callback so the Worker can open the video before this task ends.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { AUDIO_RENDITION, INIT_NAME, PLAYLIST_NAME, mediaKeys, segmentName } from "../../../contract/media-layout.ts";
import { runFfmpeg } from "../ffmpeg-process.ts";
import { JobFailure } from "../failures.ts";
import { assertFfmpegSucceeded } from "./ffmpeg-exit.ts";
import { HlsPublisher } from "../hls-publisher.ts";
import { LADDER_PROFILE } from "../ladder-profile.ts";
import { sourceInputOptions } from "../probe.ts";
import { createJobDir, removeJobDir } from "../work-dir.ts";
import { chunkBudgetMs, type TaskDeps } from "./chunk-job.ts";
import { CHUNK_PROFILE } from "./plan.ts";
import type { AudioTask, RenditionOutput } from "./task-contract.ts";
import type { TaskReporter } from "./task-reporter.ts";


export function buildAudioArgs(sourceUrl: string, durationSeconds: number, hlsDir: string): string[] {
  const audio = LADDER_PROFILE.audio;
  const dir = path.join(hlsDir, AUDIO_RENDITION);
  return [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    ...sourceInputOptions(),
    // Never more audio than the video's planned length: the two end together.
    "-t", durationSeconds.toFixed(6),
    "-i", sourceUrl,
    "-map", "0:a:0", "-vn",
    "-c:a", audio.codec, "-b:a", `${CHUNK_PROFILE.audioKbps}k`, "-ac", String(audio.channels), "-ar", String(audio.sampleRate),
    "-f", "hls",
    "-hls_time", String(LADDER_PROFILE.segmentSeconds),
    "-hls_playlist_type", "event",
    "-hls_segment_type", "fmp4",
    "-hls_flags", "independent_segments+temp_file",
    "-hls_fmp4_init_filename", INIT_NAME,
    "-hls_segment_filename", path.join(dir, segmentName(1).replace("00001", "%05d")),
    "-start_number", "1",
    path.join(dir, PLAYLIST_NAME),
    "-progress", "pipe:1", "-nostats",
  ];
}

export async function runAudioTask(
  task: AudioTask,
  deps: TaskDeps,
  signal: AbortSignal,
  reporter: Pick<TaskReporter, "playable">,
): Promise<{ renditions: RenditionOutput[]; keys: string[] }> {
  const keys = mediaKeys(task.videoId);
  const dir = await createJobDir(deps.config.workDir, task.videoId);
  const hlsDir = path.join(dir, "hls");
  await mkdir(path.join(hlsDir, AUDIO_RENDITION), { recursive: true });
  const publisher = new HlsPublisher({
    hlsDir,
    rungNames: [AUDIO_RENDITION],
    storage: deps.storage,
    prefix: keys.prefix,
    signal,
    targetDuration: LADDER_PROFILE.segmentSeconds,
    onFirstSegments: async () => {
      void reporter.playable();
    },
  });
  try {
    const run = runFfmpeg({
      ffmpegPath: deps.config.ffmpegPath,
      args: buildAudioArgs(task.source.url, task.durationSeconds, hlsDir),
      signal,
      timeoutMs: chunkBudgetMs(task.durationSeconds / 20),
    });
    publisher.start();
    let exit;
    try {
      exit = await Promise.race([run.done, publisher.failed]);
    } catch (error) {
      run.kill();
      throw new JobFailure("storage_error", undefined, String(error));
    }
    assertFfmpegSucceeded(exit, signal);
    await publisher.finish();
    const [state] = publisher.rungs;
    return {
      renditions: [{ name: AUDIO_RENDITION, codecs: LADDER_PROFILE.audio.codecs, segments: (state?.segments ?? []).map((s) => ({ duration: s.duration, bytes: s.bytes })) }],
      keys: publisher.publishedKeys(),
    };
  } finally {
    await publisher.stop();
    await removeJobDir(dir).catch(() => {});
  }
}
