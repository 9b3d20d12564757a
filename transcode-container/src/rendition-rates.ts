// Bandwidths, codecs and start order of the ladder's variants, from the segments actually
// written. Pure: the transcoder and the Worker (which publishes chunked masters) share it.
import { h264HighCodecs } from "./h264-level.ts";
import { LADDER_PROFILE, type Ladder, type Rung } from "./ladder-profile.ts";

export type MeasuredRendition = { codecs: string | null; segments: { duration: number; bytes: number }[] };

/**
 * Peak and average segment bitrates. While encoding ("provisional") the peak is at least the
 * encoder's cap; at the end ("measured") both come from the segments actually written, as the
 * HLS spec defines them. Segments under a second are rated per second so a tiny last segment
 * does not inflate the peak. `extraBps` adds a separate audio rendition's rate.
 */
export function bitrates(rung: Rung, state: MeasuredRendition | undefined, mode: "provisional" | "measured", extraBps = 0) {
  const segments = state?.segments ?? [];
  const totalBits = segments.reduce((sum, s) => sum + s.bytes * 8, 0);
  const totalSeconds = segments.reduce((sum, s) => sum + s.duration, 0);
  const measuredAverage = totalSeconds > 0 ? totalBits / totalSeconds : 0;
  const measuredPeak = segments.reduce((max, s) => Math.max(max, (s.bytes * 8) / Math.max(1, s.duration)), 0);
  const cap = (rung.videoMaxKbps + (extraBps ? 0 : (rung.audioKbps ?? 0))) * 1000;
  if (mode === "measured" && measuredPeak > 0) {
    // Rating short segments per second can put the peak under the average when they are dense
    // (the 0.5 s startup segments open with a keyframe): BANDWIDTH never goes below AVERAGE.
    const peak = Math.max(measuredPeak, measuredAverage);
    return { bandwidth: Math.ceil(peak + extraBps), averageBandwidth: Math.ceil(measuredAverage + extraBps) };
  }
  const bandwidth = Math.max(cap, measuredPeak);
  return {
    bandwidth: Math.ceil(bandwidth + extraBps),
    averageBandwidth: Math.ceil(Math.min(bandwidth, measuredAverage || cap) + extraBps),
  };
}

export function codecsFor(rung: Rung, state: MeasuredRendition | undefined, hasAudio: boolean): string {
  const video = state?.codecs ?? h264HighCodecs(rung.levelIdc);
  return hasAudio ? `${video},${LADDER_PROFILE.audio.codecs}` : video;
}

/** The variant players should start on: the rung at (or nearest below) the start height. */
export function startIndex(ladder: Ladder): number {
  const index = ladder.rungs.findIndex((r) => Math.min(r.width, r.height) <= LADDER_PROFILE.startRungHeight);
  return index >= 0 ? index : ladder.rungs.length - 1;
}
