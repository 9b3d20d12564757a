// Probe once and decide everything the chunk, audio and stills tasks need.
import type { Config } from "../config.ts";
import { planImages } from "../images.ts";
import { buildLadder, rationalValue } from "../ladder-profile.ts";
import type { Logger } from "../log.ts";
import { probeSource } from "../probe.ts";
import { planAudioChunks, planChunks } from "./plan.ts";
import type { ProbeRequest, TranscodePlan } from "./task-contract.ts";

export async function planTranscode(request: ProbeRequest, deps: { config: Config; log: Logger }, signal: AbortSignal): Promise<TranscodePlan> {
  const probe = await probeSource({
    ffprobePath: deps.config.ffprobePath,
    url: request.source.url,
    maxDurationSeconds: deps.config.maxDurationSeconds,
    signal,
  });
  const ladder = buildLadder({
    width: probe.width,
    height: probe.height,
    frameRate: probe.frameRate,
    hasAudio: probe.hasAudio,
    interlaced: probe.interlaced,
  });
  const images = planImages(probe.durationSeconds, probe.width, probe.height, rationalValue(ladder.sourceFrameRate));
  const chunkPlan = planChunks({
    durationSeconds: probe.durationSeconds,
    ladder,
    videoStartSeconds: probe.videoStartSeconds,
    storyboard: images.storyboard,
  });
  const audioChunks = probe.hasAudio ? planAudioChunks(probe.durationSeconds) : [];
  deps.log.info("planned", {
    videoId: request.videoId,
    durationSeconds: probe.durationSeconds,
    size: `${probe.width}x${probe.height}`,
    rungs: ladder.rungs.map((r) => r.name),
    chunks: chunkPlan.chunks.length,
    audioChunks: audioChunks.length,
    format: probe.formatName,
  });
  return {
    durationSeconds: probe.durationSeconds,
    width: probe.width,
    height: probe.height,
    hasAudio: probe.hasAudio,
    ladder,
    images,
    ...chunkPlan,
    audioChunks,
  };
}
