// Poster and thumbnails: a few seeks into the source, not a decode of the whole file, so the
// cost does not grow with the video's length. (Storyboard sheets come from the chunks.)
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { mediaKeys } from "../../../contract/media-layout.ts";
import { runFfmpeg } from "../ffmpeg-process.ts";
import { JobFailure } from "../failures.ts";
import { assertFfmpegSucceeded } from "./ffmpeg-exit.ts";
import { sourceInputOptions } from "../probe.ts";
import { createJobDir, removeJobDir } from "../work-dir.ts";
import type { TaskDeps } from "./chunk-job.ts";
import { putAll } from "./put-all.ts";
import type { StillsTask } from "./task-contract.ts";

const num = (value: number) => String(Math.round(value * 1000) / 1000);

export function buildStillsArgs(sourceUrl: string, plan: Pick<StillsTask, "images" | "durationSeconds" | "deinterlace">, outDir: string): string[] {
  const { poster, thumbnails } = plan.images;
  const input = sourceInputOptions();
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];
  // Input 0: the poster window; inputs 1..n: one seek per thumbnail.
  args.push(...input, "-ss", num(poster.start), "-t", num(Math.max(0.1, poster.end - poster.start)), "-i", sourceUrl);
  const times = Array.from({ length: thumbnails.count }, (_, i) => Math.min(thumbnails.first + i * thumbnails.interval, Math.max(0, plan.durationSeconds - 0.1)));
  for (const time of times) args.push(...input, "-ss", num(time), "-i", sourceUrl);
  const deinterlace = plan.deinterlace ? "bwdif=mode=send_frame:deint=interlaced," : "";
  const graph = [
    // Most representative frame of a window 10-20 % in (FFmpeg's thumbnail filter), not frame 0.
    `[0:v:0]${deinterlace}fps=${num(poster.sampleRate)},scale=${poster.width}:${poster.height}:flags=bicubic,setsar=1,thumbnail=n=${poster.batch}[poster]`,
    ...times.map((_, i) => `[${i + 1}:v:0]${deinterlace}scale=${thumbnails.width}:${thumbnails.height}:flags=bicubic,setsar=1[t${i}]`),
  ];
  args.push("-filter_complex", graph.join(";"));
  args.push("-map", "[poster]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-update", "1", path.join(outDir, "poster.jpg"));
  times.forEach((_, i) => args.push("-map", `[t${i}]`, "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-update", "1", path.join(outDir, `thumb-${i + 1}.jpg`)));
  return args;
}

export async function runStillsTask(task: StillsTask, deps: TaskDeps, signal: AbortSignal): Promise<{ keys: string[] }> {
  const keys = mediaKeys(task.videoId);
  const dir = await createJobDir(deps.config.workDir, task.videoId);
  try {
    const outDir = path.join(dir, "stills");
    await mkdir(outDir, { recursive: true });
    const exit = await runFfmpeg({ ffmpegPath: deps.config.ffmpegPath, args: buildStillsArgs(task.source.url, task, outDir), signal, timeoutMs: 120_000 }).done;
    assertFfmpegSucceeded(exit, signal);
    const uploads: { key: string; body: Uint8Array }[] = [];
    const thumbs: Uint8Array[] = [];
    for (let i = 1; i <= task.images.thumbnails.count; i += 1) {
      const bytes = await readFile(path.join(outDir, `thumb-${i}.jpg`)).catch(() => null);
      if (bytes) {
        thumbs.push(bytes);
        uploads.push({ key: keys.thumbnail(thumbs.length), body: bytes });
      }
    }
    // The poster window can miss when the declared duration was longer than the real stream.
    const poster = (await readFile(path.join(outDir, "poster.jpg")).catch(() => null)) ?? thumbs[0];
    if (!poster) throw new JobFailure("corrupt", undefined, "no frames for the poster");
    uploads.push({ key: keys.poster, body: poster });
    await putAll(deps.storage, uploads, signal);
    return { keys: uploads.map((u) => u.key) };
  } finally {
    await removeJobDir(dir).catch(() => {});
  }
}
