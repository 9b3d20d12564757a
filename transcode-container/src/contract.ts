// The Worker ↔ transcoder contract as zod schemas. No Node imports, so the Worker can import it
// too (`#transcoder/contract.ts`) and validate callbacks with the same definitions.
import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const jobRequestSchema = z
  .object({
    jobId: z.uuid(),
    videoId: z.uuid(),
    attempt: z.number().int().min(1),
    source: z.object({ url: httpUrl }),
    output: z.object({ prefix: z.string() }),
    callback: z.object({ url: httpUrl }),
  })
  .superRefine((value, ctx) => {
    // The prefix is fixed by the videoId: the transcoder overwrites and prunes under it.
    const expected = `videos/${value.videoId}/`;
    if (value.output.prefix !== expected) {
      ctx.addIssue({ code: "custom", path: ["output", "prefix"], message: `must be "${expected}"` });
    }
  });

export type JobRequest = z.infer<typeof jobRequestSchema>;

export const CALLBACK_EVENTS = ["started", "progress", "playable", "ready", "failed"] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

export const JOB_STATES = ["running", "done", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

export const probeInfoSchema = z.object({
  durationSeconds: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  hasAudio: z.boolean(),
});

export const renditionSchema = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bandwidth: z.number().int(),
  averageBandwidth: z.number().int(),
  codecs: z.string(),
  frameRate: z.number(),
  playlist: z.string(),
});

export const jobResultSchema = z.object({
  durationSeconds: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  master: z.string(),
  poster: z.string(),
  thumbnails: z.array(z.string()),
  storyboard: z.object({ image: z.string(), vtt: z.string() }),
  renditions: z.array(renditionSchema),
});

export const callbackPayloadSchema = z.object({
  jobId: z.uuid(),
  videoId: z.uuid(),
  attempt: z.number().int().min(1),
  event: z.enum(CALLBACK_EVENTS),
  at: z.iso.datetime(),
  progress: z.number().min(0).max(100).optional(),
  probe: probeInfoSchema.optional(),
  playable: z.object({ master: z.string() }).optional(),
  result: jobResultSchema.optional(),
  failure: z.object({ code: z.string(), reason: z.string() }).optional(),
});

export type ProbeInfo = z.infer<typeof probeInfoSchema>;
export type Rendition = z.infer<typeof renditionSchema>;
export type JobResult = z.infer<typeof jobResultSchema>;
export type CallbackPayload = z.infer<typeof callbackPayloadSchema>;

export const SIGNATURE_HEADER = "X-Transcoder-Signature";
