import { z } from "zod";

export const viewMessageSchema = z.object({
  videoId: z.uuid(),
  viewerKey: z.string().min(3).max(100),
  hour: z.iso.datetime(),
  watchedSeconds: z.number().min(0).max(86_400),
});
export type ViewMessage = z.infer<typeof viewMessageSchema>;

export const reportViewSchema = z.strictObject({
  watchedSeconds: z.number().finite().min(0).max(86_400),
  /** From GET /api/videos/:id; without it a report is accepted but never counted. */
  viewToken: z.string().min(1).max(2048).optional(),
});
