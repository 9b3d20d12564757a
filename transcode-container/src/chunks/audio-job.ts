// One audio chunk: the first audio track's [start, end) encoded as AAC stereo fMP4 segments of
// the one audio rendition (an AUDIO group shared by every variant, so video chunk seams never
// touch audio). Chunks start on a whole AAC frame (see planAudioChunks) and are encoded apart,
// so each one decodes a little audio before its start to prime the encoder and drops the
// packets outside its range after encoding: neighbouring chunks then meet sample-exactly,
// with no gap, no overlap and no encoder-delay silence at the seam. Idempotent like a chunk.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AUDIO_RENDITION, mediaKeys } from "../../../contract/media-layout.ts";
import { runFfmpeg } from "../ffmpeg-process.ts";
import { JobFailure } from "../failures.ts";
import { LADDER_PROFILE } from "../ladder-profile.ts";
import { sourceInputOptions } from "../probe.ts";
import { createJobDir, removeJobDir } from "../work-dir.ts";
import { chunkBudgetMs, type TaskDeps } from "./chunk-job.ts";
import { assertFfmpegSucceeded } from "./ffmpeg-exit.ts";
import { splitFragments } from "./fmp4.ts";
import { CHUNK_PROFILE } from "./plan.ts";
import { putAll } from "./put-all.ts";
import type { AudioChunkSpec, AudioTask, RenditionOutput } from "./task-contract.ts";

const SAMPLE_RATE = LADDER_PROFILE.audio.sampleRate;
const AAC_FRAME = 1024;

export function buildAudioArgs(sourceUrl: string, audio: AudioChunkSpec, outFile: string): string[] {
  const profile = LADDER_PROFILE.audio;
  // The first chunk starts at the file's start: nothing to prime from.
  const preroll = audio.startSeconds > 0 ? CHUNK_PROFILE.audioPrerollSamples : 0;
  const rangeSamples = Math.round((audio.endSeconds - audio.startSeconds) * SAMPLE_RATE);
  // Decode one frame past the end so the last kept packet is encoded with what follows it,
  // as the next chunk's primed encoder sees it; missing audio (a short track, a gap) is silence.
  const decodeSamples = preroll + rangeSamples + AAC_FRAME;
  // Encoder output pts are in samples from the first decoded sample; the encoder's own delay
  // makes its first packet -1024. Keep [preroll, preroll + range): exactly this chunk's frames.
  const keep = `noise=drop=lt(pts\\,${preroll})+gte(pts\\,${preroll + rangeSamples})`;
  return [
    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
    ...sourceInputOptions(),
    "-ss", (audio.startSeconds - preroll / SAMPLE_RATE).toFixed(6),
    // Never read more than the planned range: a header that understates the length decodes no more.
    "-t", (decodeSamples / SAMPLE_RATE + 1).toFixed(6),
    "-vn", "-sn", "-dn",
    "-i", sourceUrl,
    "-map", "0:a:0",
    "-af", `aresample=${SAMPLE_RATE}:async=1:first_pts=0,atrim=end_sample=${decodeSamples},apad=whole_len=${decodeSamples}`,
    "-c:a", profile.codec, "-b:a", `${CHUNK_PROFILE.audioKbps}k`, "-ac", String(profile.channels), "-ar", String(SAMPLE_RATE),
    "-bsf:a", keep,
    // One fragment per ~segment (the first packet at or after each 4 s mark starts the next).
    "-f", "mp4", "-frag_duration", String(LADDER_PROFILE.segmentSeconds * 1_000_000),
    "-movflags", "+empty_moov+default_base_moof", "-use_editlist", "0",
    outFile,
    "-progress", "pipe:1", "-nostats",
  ];
}

export async function runAudioTask(task: AudioTask, deps: TaskDeps, signal: AbortSignal): Promise<{ renditions: RenditionOutput[]; keys: string[] }> {
  const { audio } = task;
  const keys = mediaKeys(task.videoId);
  const dir = await createJobDir(deps.config.workDir, task.videoId);
  try {
    const outFile = path.join(dir, "audio.mp4");
    const started = Date.now();
    const run = runFfmpeg({
      ffmpegPath: deps.config.ffmpegPath,
      args: buildAudioArgs(task.source.url, audio, outFile),
      signal,
      timeoutMs: chunkBudgetMs((audio.endSeconds - audio.startSeconds) / 20),
    });
    assertFfmpegSucceeded(await run.done, signal);
    const file = await readFile(outFile).catch(() => null);
    const start = { frames: Math.round(audio.startSeconds * SAMPLE_RATE), rate: { num: SAMPLE_RATE, den: 1 } };
    const split = file?.byteLength ? splitFragments(file, start, audio.firstSegment) : null;
    if (!split?.fragments.length) throw new JobFailure("corrupt", undefined, `audio ${audio.index}: no audio encoded`);
    const uploads: { key: string; body: Uint8Array }[] = [];
    // Every chunk writes the same init segment; the first one publishes it.
    if (audio.index === 0) uploads.push({ key: keys.init(AUDIO_RENDITION), body: split.init });
    const segments = split.fragments.map((fragment, j) => {
      uploads.push({ key: keys.segment(AUDIO_RENDITION, audio.firstSegment + j), body: fragment.bytes });
      return { duration: Math.round((fragment.durationTicks / split.timescale) * 1e6) / 1e6, bytes: fragment.bytes.byteLength };
    });
    const encodeSeconds = (Date.now() - started) / 1000;
    await putAll(deps.storage, uploads, signal);
    deps.log.info("audio done", {
      videoId: task.videoId,
      audio: audio.index,
      mediaSeconds: Math.round((audio.endSeconds - audio.startSeconds) * 1e6) / 1e6,
      encodeSeconds,
      uploadSeconds: (Date.now() - started) / 1000 - encodeSeconds,
    });
    return {
      renditions: [{ name: AUDIO_RENDITION, codecs: LADDER_PROFILE.audio.codecs, segments }],
      keys: uploads.map((u) => u.key),
    };
  } finally {
    await removeJobDir(dir).catch(() => {});
  }
}
