// The encoding ladder as data (PeerTube-style profile): which rungs exist, their bitrate caps
// and the encoder knobs. docs/decisions/transcode-ladder.md explains where the numbers come from.
import { pickH264Level } from "./h264-level.ts";

export type LadderRungSpec = {
  /** Short side of the picture in pixels; also the rendition's folder name ("720p"). */
  height: number;
  /** Video bitrate cap (VBV maxrate) for a 16:9 picture of this height, kbit/s. */
  maxVideoKbps: number;
  /** Highest frame rate this rung carries; faster sources are divided down (60 → 30). */
  maxFrameRate: number;
  /** AAC stereo bitrate for this rung, kbit/s. */
  audioKbps: number;
};

export const LADDER_PROFILE = {
  // Apple HLS Authoring Specification, H.264 table (16:9); 1440/2160 and 480/240 are derived.
  rungs: [
    { height: 2160, maxVideoKbps: 22600, maxFrameRate: 60, audioKbps: 128 },
    { height: 1440, maxVideoKbps: 10900, maxFrameRate: 60, audioKbps: 128 },
    { height: 1080, maxVideoKbps: 7800, maxFrameRate: 60, audioKbps: 128 },
    { height: 720, maxVideoKbps: 4500, maxFrameRate: 60, audioKbps: 128 },
    { height: 480, maxVideoKbps: 1500, maxFrameRate: 30, audioKbps: 96 },
    { height: 360, maxVideoKbps: 365, maxFrameRate: 30, audioKbps: 64 },
    { height: 240, maxVideoKbps: 150, maxFrameRate: 30, audioKbps: 64 },
  ] satisfies LadderRungSpec[],
  /** No rung is ever encoded above this frame rate (constant frame rate output). */
  maxFrameRate: 60,
  /** Used when the source does not declare a usable frame rate. */
  fallbackFrameRate: 30,
  /** Steady-state segment length; every keyframe lands on a segment boundary. */
  segmentSeconds: 4,
  /**
   * Short first segments so the first playable moment does not wait for 4 s of encoding on
   * every rung; they add up to one regular segment, after which boundaries fall every 4 s. The
   * first is half a second: the first chunk is this one segment, and encoding 0.5 s of a
   * 1080p ladder on one vCPU costs ~35 % less than 1 s (measured: 1.9 vs 3.0 CPU-seconds).
   * Below 2 fps a boundary that snaps onto the previous one's frame is dropped.
   */
  startupSegmentSeconds: [0.5, 0.5, 1, 2],
  x264: { preset: "veryfast", profile: "high", crf: 23 },
  /** VBV buffer as a multiple of maxrate: Apple allows peaks up to 200 % of the average. */
  bufsizeFactor: 2,
  /** Bitrate scales with pixel count relative to 16:9 at the same height, within these bounds. */
  bitrateScale: { min: 0.5, max: 1.5 },
  audio: { codec: "aac", channels: 2, sampleRate: 48000, codecs: "mp4a.40.2" },
  /** The master playlist lists this rung first (or the nearest below it) for a fast start. */
  startRungHeight: 480,
  limits: { maxSide: 8192, maxPixels: 35_389_440 },
} as const;

export type SourceVideo = {
  /** Displayed size: rotation and sample aspect ratio already applied. */
  width: number;
  height: number;
  /** Source frame rate as a rational, if known. */
  frameRate: Rational | null;
  hasAudio: boolean;
  interlaced?: boolean;
};

export type Rational = { num: number; den: number };

export type Rung = {
  name: string;
  width: number;
  height: number;
  frameRate: Rational;
  videoMaxKbps: number;
  videoBufsizeKbps: number;
  audioKbps: number | null;
  /** x264 level as a string ("4.0"), also what CODECS falls back to before init.mp4 exists. */
  level: string;
  levelIdc: number;
};

export type Ladder = {
  rungs: Rung[];
  /** Rate of the shared decode branch (the fastest rung); keyframes snap to the slowest. */
  sourceFrameRate: Rational;
  keyframeGridRate: Rational;
  hasAudio: boolean;
  deinterlace: boolean;
};

const even = (value: number): number => Math.max(2, 2 * Math.round(value / 2));
const evenDown = (value: number): number => Math.max(2, 2 * Math.floor(value / 2));

export function rationalValue(rate: Rational): number {
  return rate.num / rate.den;
}

export function formatRational(rate: Rational): string {
  return rate.den === 1 ? String(rate.num) : `${rate.num}/${rate.den}`;
}

// Standard rates a jittery average (29.87 from a phone) should snap to.
const STANDARD_RATES: Rational[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 48, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
];

/** Output rate for the decode branch: source rate snapped to a standard rate, capped at 60. */
export function outputFrameRate(source: Rational | null): Rational {
  const cap = LADDER_PROFILE.maxFrameRate;
  if (!source || !(source.num > 0) || !(source.den > 0)) {
    return { num: LADDER_PROFILE.fallbackFrameRate, den: 1 };
  }
  const value = rationalValue(source);
  if (value >= cap) return { num: cap, den: 1 };
  let best: Rational | null = null;
  let bestDistance = 0.03;
  for (const standard of STANDARD_RATES) {
    const relative = Math.abs(rationalValue(standard) - value) / rationalValue(standard);
    if (relative <= bestDistance) {
      best = standard;
      bestDistance = relative;
    }
  }
  if (best) return best;
  if (value < 1) return { num: 1, den: 1 };
  // Odd rates (12.5, 15, 20) stay as they are, to three decimals.
  return reduce({ num: Math.round(value * 1000), den: 1000 });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function reduce(rate: Rational): Rational {
  const divisor = gcd(rate.num, rate.den);
  return { num: rate.num / divisor, den: rate.den / divisor };
}

/** Divide the rate by the smallest integer that brings it under the rung's cap (60 → 30). */
export function rungFrameRate(source: Rational, max: number): Rational {
  let divisor = 1;
  while (rationalValue(source) / divisor > max + 1e-9) divisor += 1;
  return reduce({ num: source.num, den: source.den * divisor });
}

function rungSize(source: SourceVideo, shortSide: number): { width: number; height: number } {
  const landscape = source.width >= source.height;
  const ratio = landscape ? source.width / source.height : source.height / source.width;
  const longSide = even(shortSide * ratio);
  return landscape
    ? { width: longSide, height: shortSide }
    : { width: shortSide, height: longSide };
}

function scaledKbps(spec: LadderRungSpec, width: number, height: number): number {
  const short = Math.min(width, height);
  const reference = short * even((short * 16) / 9);
  const factor = Math.min(
    LADDER_PROFILE.bitrateScale.max,
    Math.max(LADDER_PROFILE.bitrateScale.min, (width * height) / reference),
  );
  return Math.round(spec.maxVideoKbps * factor);
}

/**
 * Every rung whose height is at most the source's short side (portrait sources ladder by their
 * short side), aspect ratio kept, dimensions even. Sources under the smallest rung get one
 * rung at their own (even) size.
 */
export function buildLadder(source: SourceVideo): Ladder {
  const shortSide = Math.min(source.width, source.height);
  const sourceRate = outputFrameRate(source.frameRate);
  const specs = LADDER_PROFILE.rungs.filter((spec) => spec.height <= shortSide);
  const rungs: Rung[] = [];
  if (specs.length === 0) {
    const smallest = LADDER_PROFILE.rungs[LADDER_PROFILE.rungs.length - 1]!;
    const width = evenDown(source.width);
    const height = evenDown(source.height);
    rungs.push(makeRung(smallest, `${Math.min(width, height)}p`, width, height, sourceRate, source));
  } else {
    for (const spec of specs) {
      const { width, height } = rungSize(source, spec.height);
      rungs.push(makeRung(spec, `${spec.height}p`, width, height, sourceRate, source));
    }
  }
  const slowest = rungs.reduce((a, b) => (rationalValue(b.frameRate) < rationalValue(a.frameRate) ? b : a));
  const fastest = rungs.reduce((a, b) => (rationalValue(b.frameRate) > rationalValue(a.frameRate) ? b : a));
  return {
    rungs,
    sourceFrameRate: fastest.frameRate,
    keyframeGridRate: slowest.frameRate,
    hasAudio: source.hasAudio,
    deinterlace: source.interlaced === true,
  };
}

function makeRung(
  spec: LadderRungSpec,
  name: string,
  width: number,
  height: number,
  sourceRate: Rational,
  source: SourceVideo,
): Rung {
  const frameRate = rungFrameRate(sourceRate, spec.maxFrameRate);
  const videoMaxKbps = scaledKbps(spec, width, height);
  const level = pickH264Level(width, height, rationalValue(frameRate), videoMaxKbps);
  return {
    name,
    width,
    height,
    frameRate,
    videoMaxKbps,
    videoBufsizeKbps: videoMaxKbps * LADDER_PROFILE.bufsizeFactor,
    audioKbps: source.hasAudio ? spec.audioKbps : null,
    level: level.name,
    levelIdc: level.idc,
  };
}

/**
 * Segment boundaries in seconds: the startup segments, then one every segmentSeconds.
 * Returns the boundary for the n-th keyframe (n = 0 is the first frame).
 */
export function keyframeBoundaries(count: number): number[] {
  const startup = LADDER_PROFILE.startupSegmentSeconds;
  const out: number[] = [0];
  let t = 0;
  for (const seconds of startup) {
    if (out.length >= count) break;
    t += seconds;
    out.push(t);
  }
  while (out.length < count) {
    t += LADDER_PROFILE.segmentSeconds;
    out.push(t);
  }
  return out.slice(0, count);
}
