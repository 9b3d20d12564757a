// FFmpeg arguments for one chunk: stream only the chunk's time range from the presigned source,
// cut it by decode-rate frame index (so neighbouring chunks meet exactly, whatever the demuxer
// seeks to), encode every rung with the ladder's settings and keyframes, one fragmented MP4
// per rung, plus the chunk's storyboard sheet from the same decode. Pure: tests inspect it.
import path from "node:path";
import { decodeBranch, rungScaleFilters, videoEncoderArgs } from "../ffmpeg-args.ts";
import type { Ladder } from "../ladder-profile.ts";
import { sourceInputOptions } from "../probe.ts";
import { CHUNK_PROFILE, frameTime, sheetColumns, type ChunkSpec, type StoryboardPlan } from "./plan.ts";

export type ChunkOutputs = { rungFiles: string[]; sheetFile: string | null };

/** fMP4 without an edit list: every chunk writes the same init, and sample times start at 0. */
const FRAGMENTED_MP4 = ["-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets", "-use_editlist", "0"];

export function chunkOutputs(outDir: string, ladder: Ladder, chunk: ChunkSpec): ChunkOutputs {
  return {
    rungFiles: ladder.rungs.map((rung) => path.join(outDir, `${rung.name}.mp4`)),
    sheetFile: chunk.tileCount > 0 ? path.join(outDir, "sheet.jpg") : null,
  };
}

export function buildChunkArgs(input: {
  sourceUrl: string;
  ladder: Ladder;
  firstFrameIndex: number;
  chunk: ChunkSpec;
  storyboard: StoryboardPlan;
  outputs: ChunkOutputs;
}): string[] {
  const { ladder, chunk, storyboard, outputs } = input;
  const rungs = ladder.rungs;
  const seek = Math.max(0, chunk.startSeconds - CHUNK_PROFILE.seekMarginSeconds);
  // Read no further than the planned end (+ margin): a header that understates the length
  // never gets more decoded than was planned.
  const readSeconds = chunk.endSeconds - seek + CHUNK_PROFILE.seekMarginSeconds;
  const n0 = input.firstFrameIndex;

  const branches = rungs.map((_, i) => `[r${i}]`).join("");
  const sheet = outputs.sheetFile !== null;
  const graph = [
    // -copyts keeps source timestamps, so fps puts frames on the absolute grid and trim cuts at
    // exact frame indices; setpts makes the chunk's times the video's timeline times.
    `${decodeBranch(ladder)},trim=start_pts=${n0 + chunk.startFrame}:end_pts=${n0 + chunk.endFrame},setpts=PTS-${n0},` +
      `split=${rungs.length + (sheet ? 1 : 0)}${branches}${sheet ? "[tiles_in]" : ""}`,
    ...rungScaleFilters(ladder),
  ];
  if (sheet) {
    const columns = sheetColumns(storyboard, chunk.tileCount);
    const rows = Math.ceil(chunk.tileCount / columns);
    graph.push(
      `[tiles_in]select='gte(t,(${chunk.firstTile}+selected_n)*${storyboard.interval})*lt(selected_n,${chunk.tileCount})',` +
        `scale=${storyboard.tileWidth}:${storyboard.tileHeight}:flags=bicubic,setsar=1,tile=${columns}x${rows}[sheet]`,
    );
  }

  const args = [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    ...sourceInputOptions(),
    "-threads", String(CHUNK_PROFILE.threadsPerTask),
    "-copyts", "-ss", seek.toFixed(6), "-t", readSeconds.toFixed(6),
    "-i", input.sourceUrl,
    "-filter_complex", graph.join(";"),
  ];
  rungs.forEach((rung, i) => {
    args.push(
      "-map", `[v${i}]`,
      ...videoEncoderArgs(ladder, { firstBoundary: chunk.firstSegment - 1, startSeconds: frameTime(chunk.startFrame, ladder.sourceFrameRate) }),
      "-threads:v", String(CHUNK_PROFILE.threadsPerTask),
      ...(chunk.index === 0 ? ["-x264-params:v", CHUNK_PROFILE.firstChunkX264Params] : []),
      "-maxrate:v", `${rung.videoMaxKbps}k`,
      "-bufsize:v", `${rung.videoBufsizeKbps}k`,
      "-level:v", rung.level,
      ...FRAGMENTED_MP4,
      outputs.rungFiles[i]!,
    );
  });
  if (outputs.sheetFile) {
    args.push("-map", "[sheet]", "-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", "4", "-update", "1", outputs.sheetFile);
  }
  args.push("-progress", "pipe:1", "-nostats", "-stats_period", "0.5");
  return args;
}
