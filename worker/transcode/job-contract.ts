// The Worker ↔ transcoder contract lives with the transcoder (transcode-container/src/contract.ts,
// no Node imports); the Worker adds only its own queue message.
import { z } from "zod";

export { callbackPayloadSchema as callbackEventSchema, type CallbackPayload as CallbackEvent, type JobRequest as TranscoderJobRequest } from "#transcoder/contract.ts";
export { PERMANENT_FAILURES } from "#transcoder/failures.ts";

export const transcodeMessageSchema = z.object({
  videoId: z.uuid(),
  reason: z.enum(["upload", "retry", "sweep"]).default("upload"),
});
export type TranscodeMessage = z.infer<typeof transcodeMessageSchema>;
