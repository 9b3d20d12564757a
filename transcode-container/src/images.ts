// Poster, thumbnails and the storyboard (seek-preview sprite + WebVTT). The frames themselves
// come out of the ladder's FFmpeg process as extra branches of its filter graph (so the source
// is decoded once); this module plans those branches and assembles the sprite afterwards.
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { JobFailure } from "./failures.ts";
import { runFfmpeg } from "./ffmpeg-process.ts";

export type ImagePlan = {
  poster: {
    start: number;
    end: number;
    /** Frames per second sampled inside the window (bounds memory of the thumbnail filter). */
    sampleRate: number;
    /** Batch size for FFmpeg's thumbnail filter: the whole window is one batch. */
    batch: number;
    width: number;
    height: number;
  };
  thumbnails: { first: number; interval: number; count: number; width: number; height: number };
  storyboard: { interval: number; tileWidth: number; tileHeight: number; columns: number };
};

export const IMAGE_PROFILE = {
  posterMaxSide: 1280,
  thumbnailMaxSide: 640,
  thumbnailCount: 4,
  tileWidth: 160,
  storyboardColumns: 10,
  /** Above this many tiles the interval grows, so the sprite stays a few hundred kB. */
  storyboardMaxTiles: 200,
  /** The poster is picked from a window starting this far in, past intros and fades. */
  posterWindow: { startFraction: 0.1, endFraction: 0.2, maxSeconds: 10, maxFrames: 30 },
} as const;

const even = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

function fit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: even(width * scale), height: even(height * scale) };
}

export function planImages(durationSeconds: number, width: number, height: number, frameRate: number): ImagePlan {
  const duration = Math.max(durationSeconds, 0.1);
  const window = IMAGE_PROFILE.posterWindow;
  let start = duration * window.startFraction;
  let end = Math.min(duration * window.endFraction, start + window.maxSeconds);
  if (end - start < 0.5) {
    // Very short clips: look at the first half second (or all of it).
    start = 0;
    end = Math.min(duration, 0.5);
  }
  const sampleRate = Math.min(frameRate, Math.max(1, window.maxFrames / (end - start)));
  const poster = fit(width, height, IMAGE_PROFILE.posterMaxSide);
  const thumb = fit(width, height, IMAGE_PROFILE.thumbnailMaxSide);
  const count = IMAGE_PROFILE.thumbnailCount;
  const interval = Math.max(1, Math.ceil(duration / IMAGE_PROFILE.storyboardMaxTiles));
  return {
    poster: {
      start: round3(start),
      end: round3(end),
      sampleRate: round3(sampleRate),
      batch: Math.ceil((end - start) * sampleRate) + 2,
      width: poster.width,
      height: poster.height,
    },
    thumbnails: {
      first: round3(duration / (2 * count)),
      interval: round3(duration / count),
      count,
      width: thumb.width,
      height: thumb.height,
    },
    storyboard: {
      interval,
      tileWidth: IMAGE_PROFILE.tileWidth,
      tileHeight: even((IMAGE_PROFILE.tileWidth * height) / width),
      columns: IMAGE_PROFILE.storyboardColumns,
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(rest, 3)}`;
}

/** WebVTT whose cues point into the sprite with media fragments (relative URI). */
export function storyboardVtt(
  tileCount: number,
  plan: ImagePlan["storyboard"],
  durationSeconds: number,
  imageUri = "storyboard.jpg",
): string {
  const lines = ["WEBVTT", ""];
  const columns = Math.min(plan.columns, tileCount);
  for (let i = 0; i < tileCount; i += 1) {
    const start = i * plan.interval;
    const end = Math.min((i + 1) * plan.interval, durationSeconds);
    if (end <= start) break;
    const x = (i % columns) * plan.tileWidth;
    const y = Math.floor(i / columns) * plan.tileHeight;
    lines.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${imageUri}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`,
      "",
    );
  }
  return lines.join("\n");
}

/** How many tiles the storyboard uses: tiles starting at or after the end are dropped. */
export function usableTileCount(produced: number, plan: ImagePlan["storyboard"], durationSeconds: number): number {
  let count = 0;
  while (count < produced && count * plan.interval < durationSeconds) count += 1;
  return count;
}

/** Sorted tile files FFmpeg wrote (tiles/00001.png …). */
export async function listTiles(tilesDir: string): Promise<string[]> {
  const names = await readdir(tilesDir).catch(() => [] as string[]);
  return names.filter((n) => /^\d+\.png$/.test(n)).sort();
}

/** Stitch the tiles into one JPEG sprite with a small second FFmpeg run. */
export async function buildStoryboardSprite(options: {
  ffmpegPath: string;
  tilesDir: string;
  tileCount: number;
  columns: number;
  output: string;
  signal: AbortSignal;
}): Promise<void> {
  const tiles = await listTiles(options.tilesDir);
  // Drop surplus tiles (an extra frame the fps filter may emit at the very end).
  for (const name of tiles.slice(options.tileCount)) {
    await rm(path.join(options.tilesDir, name), { force: true });
  }
  const columns = Math.min(options.columns, options.tileCount);
  const rows = Math.ceil(options.tileCount / columns);
  const result = await runFfmpeg({
    ffmpegPath: options.ffmpegPath,
    args: [
      "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
      "-framerate", "1", "-start_number", "1",
      "-i", path.join(options.tilesDir, "%05d.png"),
      "-vf", `tile=${columns}x${rows}`,
      "-frames:v", "1", "-q:v", "4", "-update", "1",
      options.output,
    ],
    signal: options.signal,
  }).done;
  if (result.code !== 0) {
    if (options.signal.aborted) throw new Error("cancelled");
    throw new JobFailure("internal", undefined, `storyboard sprite: exit ${result.code}: ${result.stderrTail.slice(0, 300)}`);
  }
}
