// Drives a chunked transcode the way the Worker does (probe → audio, stills and chunk tasks
// across the given transcoders → playlists and master assembled from the results), so the
// transcoder suite checks real output without the Worker. Publishing uses the same pure
// functions as the Worker (assemble, renderChunkedMaster, storyboardVtt).
import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { AUDIO_RENDITION, mediaKeys, sourceKey, storedObjectMetadata } from "../../../contract/media-layout.ts";
import { assemble, assembleAudio, type FinishedChunk } from "../../../transcode-container/src/chunks/assemble.ts";
import { renderChunkedMaster } from "../../../transcode-container/src/chunks/master.ts";
import { storyboardVtt } from "../../../transcode-container/src/chunks/plan.ts";
import { FAILURE_REASONS } from "../../../transcode-container/src/failures.ts";
import {
  probeOutcomeSchema,
  TASK_PATHS,
  type StoredPlan,
  type TaskKind,
  type TaskOutcome,
  type TranscodePlan,
} from "../../../transcode-container/src/chunks/task-contract.ts";
import { signedTranscoderInit } from "../../../transcode-container/src/request-auth.ts";
import type { CallbackRecorder } from "./callback-recorder.ts";
import type { TestBucket } from "./s3.ts";
import { CALLBACK_SECRET } from "./transcoder-process.ts";

export type ChunkedRun = {
  videoId: string;
  jobId: string;
  plan: TranscodePlan | null;
  failure: { code: string; reason: string } | null;
  /** Outcome per task, e.g. "chunk:3", "audio:0", "stills:0". */
  outcomes: Map<string, TaskOutcome>;
  /** Every task as it was posted (empty when the probe refused the file), to post again. */
  tasks: PlannedTask[];
};

export type PlannedTask = { name: string; kind: TaskKind; index: number; path: string; body: unknown };

/** A signed POST; a string body is sent as it is (to test malformed JSON). */
export async function postTask(baseUrl: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return fetch(new URL(path, baseUrl), { ...(await signedTranscoderInit(CALLBACK_SECRET, "POST", path, text)), signal });
}

export async function transcodeChunked(
  transcoders: { baseUrl: string }[],
  bucket: TestBucket,
  recorder: CallbackRecorder,
  file: string,
): Promise<ChunkedRun> {
  const videoId = randomUUID();
  const jobId = randomUUID();
  await bucket.uploadFile(sourceKey(videoId), file);
  const source = { url: await bucket.presignGet(sourceKey(videoId)) };
  const outcomes = new Map<string, TaskOutcome>();
  const probe = probeOutcomeSchema.parse(await (await postTask(transcoders[0]!.baseUrl, TASK_PATHS.probe, { videoId, source })).json());
  if (!probe.ok) return { videoId, jobId, plan: null, failure: probe.failure, outcomes, tasks: [] };
  const plan = probe.plan;

  const callback = { url: recorder.url };
  const tasks: PlannedTask[] = [
    ...plan.audioChunks.map((audio): PlannedTask => ({ name: `audio:${audio.index}`, kind: "audio", index: audio.index, path: TASK_PATHS.audio, body: { videoId, jobId, source, callback, audio } })),
    {
      name: "stills:0",
      kind: "stills",
      index: 0,
      path: TASK_PATHS.stills,
      body: { videoId, jobId, source, callback, durationSeconds: plan.durationSeconds, deinterlace: plan.ladder.deinterlace, images: plan.images },
    },
    ...plan.chunks.map((chunk): PlannedTask => ({
      name: `chunk:${chunk.index}`,
      kind: "chunk",
      index: chunk.index,
      path: TASK_PATHS.chunk,
      body: { videoId, jobId, source, callback, ladder: plan.ladder, firstFrameIndex: plan.firstFrameIndex, storyboard: plan.images.storyboard, chunk },
    })),
  ];
  // Each transcoder takes one task at a time (202) and reports its outcome by signed callback.
  let next = 0;
  await Promise.all(
    transcoders.map(async ({ baseUrl }) => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const response = await postTask(baseUrl, task.path, task.body);
        if (response.status !== 202) throw new Error(`${task.name}: ${response.status} ${await response.text()}`);
        await response.body?.cancel();
        outcomes.set(task.name, await recorder.outcome(jobId, { kind: task.kind, index: task.index }));
      }
    }),
  );
  const failed = [...outcomes.values()].find((o) => !o.ok);
  if (failed && !failed.ok) return { videoId, jobId, plan, failure: failed.failure, outcomes, tasks };

  const { chunks, audioChunks, ...rest } = plan;
  const stored: StoredPlan = { ...rest, chunkCount: chunks.length, audioChunkCount: audioChunks.length };
  const finished: FinishedChunk[] = chunks.map((spec) => {
    const outcome = outcomes.get(`chunk:${spec.index}`);
    return { spec, renditions: outcome?.ok ? outcome.renditions : [] };
  });
  const assembly = assemble(stored, finished);
  // The Worker's two checks for a file that decodes only partly (worker/transcode/publish.ts).
  const corrupt = (detail: string) => ({ videoId, jobId, plan, failure: { code: "corrupt", reason: `${FAILURE_REASONS.corrupt} (${detail})` }, outcomes, tasks });
  if (assembly.shortChunk) return corrupt(`short chunk ${assembly.shortChunk.index}`);
  const shortfall = plan.durationSeconds - assembly.encodedSeconds;
  if (shortfall > Math.max(2, plan.durationSeconds * 0.1)) return corrupt(`decoded ${assembly.encodedSeconds.toFixed(1)} s of ${plan.durationSeconds.toFixed(1)} s`);

  const keys = mediaKeys(videoId);
  const put = (key: string, body: string) =>
    bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: body, ContentType: storedObjectMetadata(key).contentType }));
  for (const [rendition, text] of assembly.playlists) await put(keys.playlist(rendition), text);
  const audio = assembleAudio(stored, audioChunks.map((spec) => {
    const outcome = outcomes.get(`audio:${spec.index}`);
    return { spec, renditions: outcome?.ok ? outcome.renditions : [] };
  }));
  if (audio.playlist) await put(keys.playlist(AUDIO_RENDITION), audio.playlist);
  await put(keys.master, renderChunkedMaster(stored, assembly.measured, "measured"));
  await put(keys.storyboardVtt, storyboardVtt(chunks, plan.images.storyboard, assembly.encodedSeconds, (n) => `storyboard/${n}.jpg`));
  return { videoId, jobId, plan, failure: null, outcomes, tasks };
}
