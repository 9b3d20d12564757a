// From finished chunks to what a player reads: each rung's playlist over the contiguous prefix
// of finished chunks (EVENT; ENDLIST once all are in), with the measurements the master needs,
// and the audio rendition's playlist over its finished audio chunks the same way.
// Pure: the Worker publishes with it, the transcoder's tests check with it.
import { AUDIO_RENDITION, INIT_NAME, segmentName } from "../../../contract/media-layout.ts";
import { LADDER_PROFILE } from "../ladder-profile.ts";
import { renderMediaPlaylist } from "../media-playlist.ts";
import type { MeasuredRendition } from "../rendition-rates.ts";
import type { AudioChunkSpec, ChunkSpec, RenditionOutput, StoredPlan } from "./task-contract.ts";

export type FinishedChunk = { spec: ChunkSpec; renditions: RenditionOutput[] };

export type Assembly = {
  /** Chunks from the start that are all finished. */
  prefix: number;
  ended: boolean;
  /** Rendition name → playlist text (empty until the first chunk is in). */
  playlists: Map<string, string>;
  measured: Map<string, MeasuredRendition>;
  /** Seconds of video in the prefix (the top rung's segment durations). */
  encodedSeconds: number;
  /** A chunk before the last that came back short: the file stops there. */
  shortChunk: ChunkSpec | null;
};

/** `chunks[i]` is chunk i when finished, else undefined. */
export function assemble(plan: Pick<StoredPlan, "ladder" | "chunkCount">, chunks: (FinishedChunk | undefined)[]): Assembly {
  let prefix = 0;
  while (prefix < plan.chunkCount && chunks[prefix]) prefix += 1;
  const measured = new Map<string, MeasuredRendition & { uris: string[] }>();
  let shortChunk: ChunkSpec | null = null;
  for (const chunk of chunks.slice(0, prefix) as FinishedChunk[]) {
    const count = chunk.renditions[0]?.segments.length ?? 0;
    if (chunk.spec.index < plan.chunkCount - 1 && count < chunk.spec.segmentCount) shortChunk ??= chunk.spec;
    for (const rendition of chunk.renditions) {
      const entry = measured.get(rendition.name) ?? { codecs: rendition.codecs, segments: [], uris: [] };
      rendition.segments.forEach((segment, j) => {
        entry.segments.push(segment);
        entry.uris.push(segmentName(chunk.spec.firstSegment + j));
      });
      measured.set(rendition.name, entry);
    }
  }
  const ended = prefix === plan.chunkCount;
  const playlists = new Map<string, string>();
  if (prefix > 0) {
    for (const rung of plan.ladder.rungs) {
      const entry = measured.get(rung.name);
      const segments = (entry?.segments ?? []).map((s, i) => ({ uri: entry!.uris[i]!, duration: s.duration }));
      playlists.set(rung.name, renderMediaPlaylist({ initUri: INIT_NAME, segments, ended, targetDuration: LADDER_PROFILE.segmentSeconds }));
    }
  }
  const top = measured.get(plan.ladder.rungs[0]!.name);
  const encodedSeconds = (top?.segments ?? []).reduce((sum, s) => sum + s.duration, 0);
  return { prefix, ended, playlists, measured, encodedSeconds, shortChunk };
}

export type FinishedAudioChunk = { spec: AudioChunkSpec; renditions: RenditionOutput[] };

/** The audio rendition's playlist over the contiguous prefix of finished audio chunks (null before the first). */
export function assembleAudio(plan: Pick<StoredPlan, "audioChunkCount">, chunks: (FinishedAudioChunk | undefined)[]): { prefix: number; ended: boolean; playlist: string | null } {
  let prefix = 0;
  while (prefix < plan.audioChunkCount && chunks[prefix]) prefix += 1;
  const ended = prefix === plan.audioChunkCount;
  if (prefix === 0) return { prefix, ended, playlist: null };
  const segments = (chunks.slice(0, prefix) as FinishedAudioChunk[]).flatMap((chunk) =>
    (chunk.renditions.find((r) => r.name === AUDIO_RENDITION)?.segments ?? []).map((s, j) => ({ uri: segmentName(chunk.spec.firstSegment + j), duration: s.duration })),
  );
  return { prefix, ended, playlist: renderMediaPlaylist({ initUri: INIT_NAME, segments, ended, targetDuration: LADDER_PROFILE.segmentSeconds }) };
}
