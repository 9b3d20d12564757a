// Worker ↔ transcoder contract for chunked transcoding (zod, no Node imports: the Worker imports
// it too). A task request is answered at once: 202 when the transcoder takes it, 503 when its
// one task slot is busy (back-pressure, not a failure). The task then reports through signed
// callbacks to `callback.url`: heartbeats while it runs, and its outcome.
import { z } from "zod";
import { DOWNLOAD_TOKEN_PATTERN } from "../../../contract/media-layout.ts";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const rational = z.object({ num: z.number().int().positive(), den: z.number().int().positive() });

export const rungSchema = z.object({
  name: z.string().regex(/^\d+p$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frameRate: rational,
  videoMaxKbps: z.number().int().positive(),
  videoBufsizeKbps: z.number().int().positive(),
  audioKbps: z.number().int().positive().nullable(),
  level: z.string(),
  levelIdc: z.number().int(),
});

export const ladderSchema = z.object({
  rungs: z.array(rungSchema).min(1).max(8),
  sourceFrameRate: rational,
  keyframeGridRate: rational,
  hasAudio: z.boolean(),
  deinterlace: z.boolean(),
});

export const chunkSpecSchema = z.object({
  index: z.number().int().min(0),
  firstSegment: z.number().int().min(1),
  segmentCount: z.number().int().min(1),
  startFrame: z.number().int().min(0),
  endFrame: z.number().int().min(1),
  startSeconds: z.number().min(0),
  endSeconds: z.number().positive(),
  firstTile: z.number().int().min(0),
  tileCount: z.number().int().min(0),
});

export const audioChunkSpecSchema = z.object({
  index: z.number().int().min(0),
  firstSegment: z.number().int().min(1),
  startSeconds: z.number().min(0),
  endSeconds: z.number().positive(),
});

const storyboardPlanSchema = z.object({
  interval: z.number().positive(),
  tileWidth: z.number().int().positive(),
  tileHeight: z.number().int().positive(),
  columns: z.number().int().positive(),
});

const imagePlanSchema = z.object({
  poster: z.object({ start: z.number(), end: z.number(), sampleRate: z.number(), batch: z.number().int(), width: z.number().int(), height: z.number().int() }),
  thumbnails: z.object({ first: z.number(), interval: z.number(), count: z.number().int(), width: z.number().int(), height: z.number().int() }),
  storyboard: storyboardPlanSchema,
});

/** What the transcoder decides from one probe: the ladder, the chunks and the stills. */
export const transcodePlanSchema = z.object({
  durationSeconds: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  hasAudio: z.boolean(),
  ladder: ladderSchema,
  frameCount: z.number().int().positive(),
  firstFrameIndex: z.number().int(),
  chunks: z.array(chunkSpecSchema).min(1),
  /** Empty when the source has no audio. */
  audioChunks: z.array(audioChunkSpecSchema),
  images: imagePlanSchema,
});
export type TranscodePlan = z.infer<typeof transcodePlanSchema>;

const taskBase = { videoId: z.uuid(), jobId: z.uuid(), source: z.object({ url: httpUrl }) };

export const probeRequestSchema = z.object({ videoId: z.uuid(), source: z.object({ url: httpUrl }) });
// Each task carries only what it needs (a long video's plan has thousands of chunks).
const callback = z.object({ url: httpUrl });
export const chunkTaskSchema = z.object({
  ...taskBase,
  callback,
  ladder: ladderSchema,
  firstFrameIndex: z.number().int(),
  storyboard: storyboardPlanSchema,
  chunk: chunkSpecSchema,
});
export const audioTaskSchema = z.object({ ...taskBase, callback, audio: audioChunkSpecSchema });
export const stillsTaskSchema = z.object({
  ...taskBase,
  callback,
  durationSeconds: z.number().positive(),
  deinterlace: z.boolean(),
  images: imagePlanSchema,
});
/**
 * The downloadable MP4: the finished top rung and audio rendition remuxed (no re-encode) into
 * mediaKeys(videoId).download(token). It reads published renditions, not the source.
 */
export const downloadSpecSchema = z.object({
  token: z.string().regex(DOWNLOAD_TOKEN_PATTERN),
  rendition: rungSchema.shape.name,
  hasAudio: z.boolean(),
  durationSeconds: z.number().positive(),
});
export const downloadTaskSchema = z.object({ videoId: z.uuid(), jobId: z.uuid(), callback, download: downloadSpecSchema });
export type ProbeRequest = z.infer<typeof probeRequestSchema>;
export type ChunkTask = z.infer<typeof chunkTaskSchema>;
export type AudioTask = z.infer<typeof audioTaskSchema>;
export type StillsTask = z.infer<typeof stillsTaskSchema>;
export type DownloadTask = z.infer<typeof downloadTaskSchema>;
export type DownloadSpec = z.infer<typeof downloadSpecSchema>;

export const segmentInfoSchema = z.object({ duration: z.number().positive(), bytes: z.number().int().positive() });
export type SegmentInfo = z.infer<typeof segmentInfoSchema>;

export const renditionOutputSchema = z.object({
  name: z.string(),
  codecs: z.string().nullable(),
  segments: z.array(segmentInfoSchema),
});
export type RenditionOutput = z.infer<typeof renditionOutputSchema>;

const failureSchema = z.object({ code: z.string(), reason: z.string() });

/** The streamed body of every task: its result, or the failure (our side or the file's). */
export const taskOutcomeSchema = z.union([
  z.object({ ok: z.literal(true), renditions: z.array(renditionOutputSchema).default([]), keys: z.array(z.string()).default([]) }),
  z.object({ ok: z.literal(false), failure: failureSchema }),
]);
export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;

export const probeOutcomeSchema = z.union([
  z.object({ ok: z.literal(true), plan: transcodePlanSchema }),
  z.object({ ok: z.literal(false), failure: failureSchema }),
]);
export type ProbeOutcome = z.infer<typeof probeOutcomeSchema>;

export const TASK_KINDS = ["chunk", "audio", "stills", "download"] as const;

/** Signed callbacks a task sends (see task-reporter.ts). */
export const taskCallbackSchema = z.object({
  videoId: z.uuid(),
  jobId: z.uuid(),
  task: z.object({ kind: z.enum(TASK_KINDS), index: z.number().int().min(0) }),
  event: z.enum(["heartbeat", "done"]),
  at: z.iso.datetime(),
  outcome: taskOutcomeSchema.optional(),
});
export type TaskCallback = z.infer<typeof taskCallbackSchema>;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_PATHS = { probe: "/probe", chunk: "/tasks/chunk", audio: "/tasks/audio", stills: "/tasks/stills", download: "/tasks/download" } as const;

export type ChunkSpec = z.infer<typeof chunkSpecSchema>;
export type AudioChunkSpec = z.infer<typeof audioChunkSpecSchema>;
/** The plan as the Worker keeps it on the video: chunk specs live in their task rows. */
export type StoredPlan = Omit<TranscodePlan, "chunks" | "audioChunks"> & { chunkCount: number; audioChunkCount: number };
/** What a finished task leaves behind. */
export type TaskResult = { renditions?: RenditionOutput[]; keys?: string[] };
