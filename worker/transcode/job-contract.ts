// The Worker ↔ transcoder contract lives with the transcoder (no Node imports); the Worker adds
// only its own queue messages: plan a video, or run one task of its plan.
import { z } from "zod";
import { TASK_KINDS } from "#transcoder/chunks/task-contract.ts";

export { PERMANENT_FAILURES } from "#transcoder/failures.ts";

export const planMessageSchema = z.object({
  videoId: z.uuid(),
  reason: z.enum(["upload", "retry", "sweep"]).default("upload"),
});
export const taskMessageSchema = z.object({
  videoId: z.uuid(),
  jobId: z.uuid(),
  task: z.object({ kind: z.enum(TASK_KINDS), index: z.number().int().min(0) }),
});
export const transcodeMessageSchema = z.union([taskMessageSchema, planMessageSchema]);
export type PlanMessage = z.input<typeof planMessageSchema>;
export type TaskMessage = z.infer<typeof taskMessageSchema>;
export type TranscodeMessage = PlanMessage | TaskMessage;
