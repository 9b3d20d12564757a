// The chunk plan: the timeline cut on the segment grid into chunks that any transcoder of the
// fleet can encode on its own. Pure (no Node imports): the Worker stores the plan and renders
// playlists and the storyboard from it; the transcoder builds it from the probe.
import type { AudioChunkSpec } from "./task-contract.ts";
import { LADDER_PROFILE, keyframeBoundaries, rationalValue, type Ladder, type Rational } from "../ladder-profile.ts";

export const CHUNK_PROFILE = {
  /**
   * Segments per chunk, from the first chunk on; the last size repeats. The first chunk is one
   * 0.5 s startup segment, so the video is playable after encoding half a second. Sizes then
   * grow so that, with enough workers all starting at once, each chunk is done before a viewer
   * who started at "playable" reaches it (a chunk of s seconds takes ~s / 0.6 on one vCPU, and
   * playback reaches second a at ~a + 2.5): 0.5, 0.5, 1, 2, 4, 4 s, then 8, 12 and 16 s. Steady
   * chunks are 16 s: tens of seconds of work, long enough that per-chunk start-up (seek,
   * encoder warm-up) stays a few per cent of the work.
   */
  segmentsPerChunk: [1, 1, 1, 1, 1, 1, 2, 3, 4],
  /**
   * The end tapers as the start grows: a chunk takes at most 1/tailDivisor of the segments left,
   * so the last chunks are 12, 8, 4, 4 s instead of 16, 16, 16. The fleet's last worker then
   * finishes a short chunk while the others are done, instead of a long one while they idle.
   */
  tailDivisor: 3,
  /**
   * x264 settings for the first chunk only: it alone decides when the video is playable, and
   * it is half a second. Analysis and lookahead off, so the same encode takes ~0.7 s instead
   * of ~1.5 s on one pinned core (measured, 1080p ladder). None of these change the stream's
   * SPS/PPS, so its init segment stays byte-identical to every other chunk's (a different
   * preset would not: ultrafast switches to CAVLC and Constrained Baseline). Tested.
   */
  firstChunkX264Params: "rc-lookahead=0:mbtree=0:subme=0:me=dia:no-psy=1:analyse=none",
  /**
   * Where the stills task (poster, thumbnails) sits in the order tasks are started (the first
   * video and audio chunks, then by start time): as if it started at 8 s, after the chunks a
   * viewer who pressed play at "playable" needs first, before the rest of the timeline.
   */
  stillsAtSeconds: 8,
  /** Seek this far before a chunk so the exact cut is made by frame index, never by the demuxer. */
  seekMarginSeconds: 1,
  /**
   * Threads per decoder and encoder. A task owns one vCPU: extra threads only add start-up and
   * pipeline latency (measured: a 1 s first chunk of a 1080p ladder on one pinned core took
   * ~2.3 s with FFmpeg's defaults, ~1.8 s single-threaded; 4 s chunks the same either way).
   */
  threadsPerTask: 1,
  /** The one audio rendition (AAC stereo), shared by every variant. */
  audioKbps: 128,
  /**
   * Audio is chunked too (one task for an hour of audio reads the whole source and becomes the
   * critical path). Seconds per audio chunk from the first on; the last size repeats. Every
   * boundary is a multiple of 8 s, which at 48 kHz is a whole number of AAC frames (8 s =
   * 375 × 1024 samples), so chunks encoded apart tile the timeline sample-exactly. The first is
   * short: the video is playable once it and the first video chunk are in.
   */
  audioChunkSeconds: [8, 56, 64],
  /** Audio decoded before a chunk's start and dropped after encoding, so the seam's MDCT overlap is primed. */
  audioPrerollSamples: 2048,
} as const;

/**
 * The audio timeline in chunks on the AAC-frame-aligned 8 s grid (see
 * CHUNK_PROFILE.audioChunkSeconds). A chunk's segments are numbered from its start on the 4 s
 * grid; it writes at most one per 4 s, so numbers never collide (they may skip).
 */
export function planAudioChunks(durationSeconds: number): AudioChunkSpec[] {
  const sizes = CHUNK_PROFILE.audioChunkSeconds;
  const chunks: AudioChunkSpec[] = [];
  let start = 0;
  while (start < durationSeconds - 0.001) {
    const size = sizes[Math.min(chunks.length, sizes.length - 1)]!;
    // A sliver under 1 ms past a boundary joins the chunk before it (the last chunk's end is off the grid anyway).
    const end = durationSeconds - (start + size) < 0.001 ? durationSeconds : start + size;
    chunks.push({ index: chunks.length, firstSegment: start / LADDER_PROFILE.segmentSeconds + 1, startSeconds: start, endSeconds: round6(end) });
    start += size;
  }
  return chunks;
}

export type ChunkSpec = {
  index: number;
  /** 1-based number of the chunk's first segment. */
  firstSegment: number;
  segmentCount: number;
  /** Decode-rate frame indices from the video's first frame: [startFrame, endFrame). */
  startFrame: number;
  endFrame: number;
  startSeconds: number;
  endSeconds: number;
  /** Storyboard tiles whose time falls in this chunk: [firstTile, firstTile + tileCount). */
  firstTile: number;
  tileCount: number;
};

export type StoryboardPlan = { interval: number; tileWidth: number; tileHeight: number; columns: number };

export type ChunkPlan = {
  /** Decode-rate frames in the video (what a full decode yields). */
  frameCount: number;
  /** Frame index of the video's first frame on the absolute decode-rate grid (non-zero start times). */
  firstFrameIndex: number;
  chunks: ChunkSpec[];
};

/** Frame index (decode rate) of a segment boundary snapped up to the keyframe grid. */
function boundaryFrame(seconds: number, ladder: Ladder): number {
  const factor = Math.round(rationalValue(ladder.sourceFrameRate) / rationalValue(ladder.keyframeGridRate));
  const grid = ladder.keyframeGridRate;
  return factor * Math.ceil((seconds * grid.num) / grid.den - 0.001);
}

export function frameTime(frame: number, rate: Rational): number {
  return (frame * rate.den) / rate.num;
}

/**
 * Segments per chunk for a timeline of `total` segments: CHUNK_PROFILE.segmentsPerChunk from the
 * start (the last size repeats), never more than 1/tailDivisor of what is left (rounded up).
 */
export function chunkSizes(total: number): number[] {
  const { segmentsPerChunk: sizes, tailDivisor } = CHUNK_PROFILE;
  const out: number[] = [];
  for (let left = total; left > 0; ) {
    const size = Math.min(sizes[Math.min(out.length, sizes.length - 1)]!, Math.ceil(left / tailDivisor), left);
    out.push(size);
    left -= size;
  }
  return out;
}

export function planChunks(input: {
  durationSeconds: number;
  ladder: Ladder;
  videoStartSeconds: number;
  storyboard: StoryboardPlan;
}): ChunkPlan {
  const { ladder } = input;
  const rate = ladder.sourceFrameRate;
  const frameCount = Math.max(1, Math.ceil((input.durationSeconds * rate.num) / rate.den - 0.001));
  // Segment start frames until the video ends.
  const starts: number[] = [];
  for (const seconds of keyframeBoundaries(Math.ceil(input.durationSeconds / 4) + 8)) {
    const frame = boundaryFrame(seconds, ladder);
    if (frame >= frameCount) break;
    if (starts.length === 0 || frame > starts[starts.length - 1]!) starts.push(frame);
  }
  const chunks: ChunkSpec[] = [];
  let segment = 0;
  for (const count of chunkSizes(starts.length)) {
    const startFrame = starts[segment]!;
    const endFrame = segment + count < starts.length ? starts[segment + count]! : frameCount;
    chunks.push({
      index: chunks.length,
      firstSegment: segment + 1,
      segmentCount: count,
      startFrame,
      endFrame,
      startSeconds: round6(frameTime(startFrame, rate)),
      endSeconds: round6(frameTime(endFrame, rate)),
      firstTile: 0,
      tileCount: 0,
    });
    segment += count;
  }
  // Tile i shows time i * interval; each chunk draws the tiles that start inside it.
  const interval = input.storyboard.interval;
  let tile = 0;
  for (const chunk of chunks) {
    chunk.firstTile = tile;
    while (tile * interval < chunk.endSeconds && tile * interval < input.durationSeconds) tile += 1;
    chunk.tileCount = tile - chunk.firstTile;
  }
  const firstFrameIndex = Math.round((input.videoStartSeconds * rate.num) / rate.den);
  return { frameCount, firstFrameIndex, chunks };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor((ms % 3_600_000) / 60_000))}:${pad(Math.floor((ms % 60_000) / 1000))}.${pad(ms % 1000, 3)}`;
}

/** Columns of one chunk's storyboard sheet (a row-major grid of its tiles). */
export function sheetColumns(plan: StoryboardPlan, tileCount: number): number {
  return Math.max(1, Math.min(plan.columns, tileCount));
}

/** WebVTT whose cues point into each chunk's sheet with media fragments (URIs relative to the VTT). */
export function storyboardVtt(chunks: ChunkSpec[], plan: StoryboardPlan, durationSeconds: number, sheetUri: (chunk: number) => string): string {
  const lines = ["WEBVTT", ""];
  for (const chunk of chunks) {
    const columns = sheetColumns(plan, chunk.tileCount);
    for (let j = 0; j < chunk.tileCount; j += 1) {
      const start = (chunk.firstTile + j) * plan.interval;
      const end = Math.min(start + plan.interval, durationSeconds);
      if (end <= start) continue;
      const x = (j % columns) * plan.tileWidth;
      const y = Math.floor(j / columns) * plan.tileHeight;
      lines.push(`${vttTime(start)} --> ${vttTime(end)}`, `${sheetUri(chunk.index)}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`, "");
    }
  }
  return lines.join("\n");
}
