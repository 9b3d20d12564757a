// The chunked video's master playlist and rendition list: every video rung plus the one audio
// rendition as an AUDIO group. Pure: the Worker renders it as chunks finish.
import { AUDIO_RENDITION, renditionPlaylistUri } from "../../../contract/media-layout.ts";
import type { Rendition } from "../contract.ts";
import { LADDER_PROFILE, rationalValue } from "../ladder-profile.ts";
import { renderMasterPlaylist } from "../master-playlist.ts";
import { bitrates, codecsFor, startIndex, type MeasuredRendition } from "../rendition-rates.ts";
import { CHUNK_PROFILE } from "./plan.ts";
import type { StoredPlan } from "./task-contract.ts";

const AUDIO_GROUP = "audio";

function variants(plan: StoredPlan, measured: Map<string, MeasuredRendition>, mode: "provisional" | "measured") {
  const audioBps = plan.hasAudio ? CHUNK_PROFILE.audioKbps * 1000 : 0;
  return plan.ladder.rungs.map((rung) => {
    const state = measured.get(rung.name);
    return {
      rung,
      uri: renditionPlaylistUri(rung.name),
      ...bitrates(rung, state, mode, audioBps),
      codecs: codecsFor(rung, state, plan.hasAudio),
      width: rung.width,
      height: rung.height,
      frameRate: rationalValue(rung.frameRate),
    };
  });
}

export function renderChunkedMaster(plan: StoredPlan, measured: Map<string, MeasuredRendition>, mode: "provisional" | "measured"): string {
  const audio = plan.hasAudio
    ? { groupId: AUDIO_GROUP, uri: renditionPlaylistUri(AUDIO_RENDITION), channels: LADDER_PROFILE.audio.channels }
    : undefined;
  return renderMasterPlaylist(variants(plan, measured, mode), startIndex(plan.ladder), audio);
}

export function chunkedRenditions(plan: StoredPlan, measured: Map<string, MeasuredRendition>, playlistKey: (rendition: string) => string): Rendition[] {
  return variants(plan, measured, "measured").map((v) => ({
    name: v.rung.name,
    width: v.width,
    height: v.height,
    bandwidth: v.bandwidth,
    averageBandwidth: v.averageBandwidth,
    codecs: v.codecs,
    frameRate: Math.round(v.frameRate * 1000) / 1000,
    playlist: playlistKey(v.rung.name),
  }));
}
