// x264 settings, keyframe plan and filter branches shared by every encode of the ladder (the
// chunk tasks build on them), and the single-process ladder command that decodes the source
// once and writes every rung as fMP4 HLS plus the stills frames: no longer run by the
// transcoder, kept as the baseline bench/pipeline measures chunking against. Pure: it only
// builds arguments, so tests can inspect them.
import path from "node:path";
import type { ImagePlan } from "./images.ts";
import {
  formatRational,
  LADDER_PROFILE,
  keyframeBoundaries,
  rationalValue,
  type Ladder,
  type Rational,
} from "./ladder-profile.ts";
import { sourceInputOptions } from "./probe.ts";

export type OutputLayout = {
  /** Per-rung folders: <hlsDir>/<rung>/playlist.m3u8, init.mp4, seg_00001.m4s … */
  hlsDir: string;
  posterFile: string;
  thumbnailsDir: string;
  tilesDir: string;
};

export function outputLayout(workDir: string): OutputLayout {
  return {
    hlsDir: path.join(workDir, "hls"),
    posterFile: path.join(workDir, "images", "poster.jpg"),
    thumbnailsDir: path.join(workDir, "images", "thumbs"),
    tilesDir: path.join(workDir, "images", "tiles"),
  };
}

const num = (value: number): string => String(Math.round(value * 1000) / 1000);

/**
 * Keyframe times as an FFmpeg expression over n_forced: the startup boundaries, then one every
 * segmentSeconds. Each time is snapped up to the frame grid of the slowest rung, so a 30 fps
 * rung and a 60 fps rung put their keyframes on the very same frame (aligned segments).
 */
export function forceKeyFramesExpression(gridRate: Rational, firstBoundary = 0, startSeconds = 0): string {
  // Startup boundaries that snap onto the same frame as the one before count once (a source
  // under 2 fps), exactly as planChunks numbers its segments.
  const snap = (seconds: number) => Math.ceil((seconds * gridRate.num) / gridRate.den - 0.001);
  const startup = keyframeBoundaries(LADDER_PROFILE.startupSegmentSeconds.length + 1).filter((b, i, all) => i === 0 || snap(b) > snap(all[i - 1]!));
  const steadyStart = startup[startup.length - 1];
  const startupCount = startup.length - 1;
  // Boundary for keyframe n: startup[n] while n < startupCount, then steadyStart + 4 * (n - startupCount).
  // A chunk's encoder starts counting forced keyframes at 0 on its first boundary.
  const n = firstBoundary > 0 ? `(n_forced+${firstBoundary})` : "n_forced";
  let target = `(${num(steadyStart)}+${LADDER_PROFILE.segmentSeconds}*(${n}-${startupCount}))`;
  for (let i = startupCount - 1; i >= 0; i -= 1) {
    target = `if(eq(${n},${i}),${num(startup[i])},${target})`;
  }
  const rate = `(${gridRate.num}/${gridRate.den})`;
  // FFmpeg's t counts from the stream's first frame, so a chunk adds its start time. A millisecond
  // of slack absorbs timestamp rounding on the frame that sits on the boundary.
  const now = startSeconds > 0 ? `t+${startSeconds.toFixed(6)}+0.001` : "t+0.001";
  return `expr:gte(${now},ceil(${target}*${rate}-0.001)/${rate})`;
}

/**
 * Shared decode branch: deinterlace if needed (only frames flagged interlaced), then constant
 * frame rate (VFR sources become CFR) on the decode-rate grid.
 */
export function decodeBranch(ladder: Ladder): string {
  const deinterlace = ladder.deinterlace ? "bwdif=mode=send_frame:deint=interlaced," : "";
  return `[0:v:0]${deinterlace}fps=${formatRational(ladder.sourceFrameRate)}`;
}

/** `[r<i>]` → `[v<i>]`: each rung's frame rate and size. */
export function rungScaleFilters(ladder: Ladder): string[] {
  return ladder.rungs.map((rung, i) => {
    const rate =
      rationalValue(rung.frameRate) < rationalValue(ladder.sourceFrameRate) ? `fps=${formatRational(rung.frameRate)},` : "";
    return `[r${i}]${rate}scale=${rung.width}:${rung.height}:flags=bicubic,format=yuv420p,setsar=1[v${i}]`;
  });
}

/** x264 settings every rung shares; `firstBoundary` is the segment boundary a chunk starts on. */
export function videoEncoderArgs(ladder: Ladder, chunk?: { firstBoundary: number; startSeconds: number }): string[] {
  const x264 = LADDER_PROFILE.x264;
  const gopFrames = Math.ceil(rationalValue(ladder.sourceFrameRate) * LADDER_PROFILE.segmentSeconds * 2);
  return [
    "-c:v", "libx264",
    "-preset", x264.preset,
    "-profile:v", x264.profile,
    "-crf", String(x264.crf),
    // Keyframes only where we force them: segment boundaries, identical on every rung.
    "-force_key_frames:v", forceKeyFramesExpression(ladder.keyframeGridRate, chunk?.firstBoundary, chunk?.startSeconds),
    "-sc_threshold:v", "0",
    "-g:v", String(gopFrames),
  ];
}

export function buildLadderArgs(input: {
  sourceUrl: string;
  ladder: Ladder;
  images: ImagePlan;
  layout: OutputLayout;
}): string[] {
  const { ladder, images, layout } = input;
  const rungs = ladder.rungs;
  const branches = rungs.map((_, i) => `[r${i}]`).join("");
  const graph: string[] = [`${decodeBranch(ladder)},split=${rungs.length + 3}${branches}[poster_in][thumbs_in][tiles_in]`];
  graph.push(...rungScaleFilters(ladder));
  const p = images.poster;
  // Most representative frame of a window 10-20 % in (FFmpeg's thumbnail filter), not frame 0.
  graph.push(
    `[poster_in]trim=start=${num(p.start)}:end=${num(p.end)},fps=${num(p.sampleRate)},` +
      `scale=${p.width}:${p.height}:flags=bicubic,setsar=1,thumbnail=n=${p.batch}[poster]`,
  );
  const t = images.thumbnails;
  // select on an absolute grid (first frame at or after first + k * interval): no drift, and
  // unlike the fps filter it also yields a frame for clips shorter than one interval.
  graph.push(
    `[thumbs_in]select='gte(t,${num(t.first)}+${num(t.interval)}*selected_n)*lt(selected_n,${t.count})',` +
      `scale=${t.width}:${t.height}:flags=bicubic,setsar=1[thumbs]`,
  );
  const s = images.storyboard;
  graph.push(
    `[tiles_in]select='gte(t,${s.interval}*selected_n)',` +
      `scale=${s.tileWidth}:${s.tileHeight}:flags=bicubic,setsar=1[tiles]`,
  );

  const args: string[] = [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    ...sourceInputOptions(),
    "-i", input.sourceUrl,
    "-filter_complex", graph.join(";"),
  ];

  // HLS output: one video (+ audio) stream per rung.
  rungs.forEach((_, i) => {
    args.push("-map", `[v${i}]`);
    if (ladder.hasAudio) args.push("-map", "0:a:0");
  });
  args.push(...videoEncoderArgs(ladder), "-max_muxing_queue_size", "4096");
  rungs.forEach((rung, i) => {
    args.push(
      `-maxrate:v:${i}`, `${rung.videoMaxKbps}k`,
      `-bufsize:v:${i}`, `${rung.videoBufsizeKbps}k`,
      `-level:v:${i}`, rung.level,
    );
    if (rung.audioKbps !== null) args.push(`-b:a:${i}`, `${rung.audioKbps}k`);
  });
  if (ladder.hasAudio) {
    const audio = LADDER_PROFILE.audio;
    args.push("-c:a", audio.codec, "-ac", String(audio.channels), "-ar", String(audio.sampleRate));
  }
  const shortestSegment = Math.min(LADDER_PROFILE.segmentSeconds, ...LADDER_PROFILE.startupSegmentSeconds);
  const streamMap = rungs
    .map((rung, i) => (ladder.hasAudio ? `v:${i},a:${i},name:${rung.name}` : `v:${i},name:${rung.name}`))
    .join(" ");
  args.push(
    "-f", "hls",
    // Below the shortest segment: the muxer then cuts at every (forced) keyframe.
    "-hls_time", num(shortestSegment / 2),
    "-hls_playlist_type", "event",
    "-hls_segment_type", "fmp4",
    // temp_file: a segment only gets its final name once it is complete.
    "-hls_flags", "independent_segments+temp_file",
    "-hls_fmp4_init_filename", "init.mp4",
    "-hls_segment_filename", path.join(layout.hlsDir, "%v", "seg_%05d.m4s"),
    "-start_number", "1",
    "-var_stream_map", streamMap,
    path.join(layout.hlsDir, "%v", "playlist.m3u8"),
  );

  // Stills: separate tiny outputs fed by the same decode. No frame limits: each branch ends by
  // itself (trim/select), so no output is closed while the graph still feeds it.
  args.push(
    "-map", "[poster]", "-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", "3", "-update", "1",
    layout.posterFile,
    "-map", "[thumbs]", "-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", "4",
    "-start_number", "1",
    path.join(layout.thumbnailsDir, "%d.jpg"),
    "-map", "[tiles]", "-fps_mode", "passthrough", "-c:v", "png", "-start_number", "1",
    path.join(layout.tilesDir, "%05d.png"),
    "-progress", "pipe:1", "-nostats", "-stats_period", "0.5",
  );
  return args;
}
