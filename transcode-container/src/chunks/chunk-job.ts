// One chunk: encode its time range for every rung, re-base the fragments onto the video's
// timeline and upload them as the chunk's numbered segments (plus the shared init segment and
// the chunk's storyboard sheet). Idempotent: a redelivered chunk writes the same keys.
import { readFile } from "node:fs/promises";
import { mediaKeys } from "../../../contract/media-layout.ts";
import type { Config } from "../config.ts";
import { runFfmpeg } from "../ffmpeg-process.ts";
import { JobFailure } from "../failures.ts";
import { assertFfmpegSucceeded } from "./ffmpeg-exit.ts";
import type { Logger } from "../log.ts";
import { avcCodecsFromInit } from "../mp4-codecs.ts";
import type { Storage } from "../storage.ts";
import { createJobDir, removeJobDir } from "../work-dir.ts";
import { buildChunkArgs, chunkOutputs } from "./chunk-args.ts";
import { splitFragments } from "./fmp4.ts";
import { putAll } from "./put-all.ts";
import type { ChunkTask, RenditionOutput } from "./task-contract.ts";

export type TaskDeps = { config: Config; storage: Storage; log: Logger };

/** Wall-clock budget: a chunk that takes longer than this is killed (and retried elsewhere). */
export function chunkBudgetMs(mediaSeconds: number): number {
  return 60_000 + mediaSeconds * 10_000;
}

export async function runChunkTask(task: ChunkTask, deps: TaskDeps, signal: AbortSignal): Promise<{ renditions: RenditionOutput[]; keys: string[] }> {
  const { chunk, ladder } = task;
  const keys = mediaKeys(task.videoId);
  const dir = await createJobDir(deps.config.workDir, task.videoId);
  try {
    const outputs = chunkOutputs(dir, ladder, chunk);
    const args = buildChunkArgs({
      sourceUrl: task.source.url,
      ladder,
      firstFrameIndex: task.firstFrameIndex,
      chunk,
      storyboard: task.storyboard,
      outputs,
    });
    const started = Date.now();
    const run = runFfmpeg({ ffmpegPath: deps.config.ffmpegPath, args, signal, timeoutMs: chunkBudgetMs(chunk.endSeconds - chunk.startSeconds) });
    const exit = await run.done;
    assertFfmpegSucceeded(exit, signal);

    const uploads: { key: string; body: Uint8Array }[] = [];
    const renditions: RenditionOutput[] = [];
    for (const [i, rung] of ladder.rungs.entries()) {
      const file = await readFile(outputs.rungFiles[i]!).catch(() => null);
      const split = file?.byteLength ? splitFragments(file, { frames: chunk.startFrame, rate: ladder.sourceFrameRate }, chunk.firstSegment) : null;
      if (!split?.fragments.length) throw new JobFailure("corrupt", undefined, `chunk ${chunk.index}: no frames decoded for ${rung.name}`);
      // Every chunk writes the same init segment; the first one publishes it.
      if (chunk.index === 0) uploads.push({ key: keys.init(rung.name), body: split.init });
      const segments = split.fragments.map((fragment, j) => {
        uploads.push({ key: keys.segment(rung.name, chunk.firstSegment + j), body: fragment.bytes });
        return { duration: round6(fragment.durationTicks / split.timescale), bytes: fragment.bytes.byteLength };
      });
      renditions.push({ name: rung.name, codecs: avcCodecsFromInit(split.init), segments });
    }
    if (outputs.sheetFile) {
      const sheet = await readFile(outputs.sheetFile).catch(() => null);
      if (sheet) uploads.push({ key: keys.storyboardSheet(chunk.index), body: sheet });
    }
    const encodeSeconds = (Date.now() - started) / 1000;
    await putAll(deps.storage, uploads, signal);
    deps.log.info("chunk done", {
      videoId: task.videoId,
      chunk: chunk.index,
      mediaSeconds: round6(chunk.endSeconds - chunk.startSeconds),
      encodeSeconds,
      uploadSeconds: (Date.now() - started) / 1000 - encodeSeconds,
    });
    return { renditions, keys: uploads.map((u) => u.key) };
  } finally {
    await removeJobDir(dir).catch(() => {});
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
