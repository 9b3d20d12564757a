// The HTTP contract between the Worker and the transcoder (Container in production, local process
// in development). Keep in step with transcode-container/src.
import { z } from "zod";

export const transcodeMessageSchema = z.object({
  videoId: z.uuid(),
  reason: z.enum(["upload", "retry", "sweep"]).default("upload"),
});
export type TranscodeMessage = z.infer<typeof transcodeMessageSchema>;

export type TranscoderJobRequest = {
  jobId: string;
  videoId: string;
  attempt: number;
  source: { url: string };
  output: { prefix: string };
  callback: { url: string };
};

const renditionSchema = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bandwidth: z.number().int(),
  averageBandwidth: z.number().int(),
  codecs: z.string(),
  frameRate: z.number(),
  playlist: z.string(),
});

export const callbackEventSchema = z.object({
  jobId: z.uuid(),
  videoId: z.uuid(),
  attempt: z.number().int().min(1),
  event: z.enum(["started", "progress", "playable", "ready", "failed"]),
  at: z.string(),
  progress: z.number().min(0).max(100).optional(),
  probe: z
    .object({ durationSeconds: z.number(), width: z.number().int(), height: z.number().int(), hasAudio: z.boolean() })
    .optional(),
  playable: z.object({ master: z.string() }).optional(),
  result: z
    .object({
      durationSeconds: z.number(),
      width: z.number().int(),
      height: z.number().int(),
      master: z.string(),
      poster: z.string(),
      thumbnails: z.array(z.string()),
      storyboard: z.object({ image: z.string(), vtt: z.string() }),
      renditions: z.array(renditionSchema),
    })
    .optional(),
  failure: z.object({ code: z.string(), reason: z.string() }).optional(),
});
export type CallbackEvent = z.infer<typeof callbackEventSchema>;
