// What the notifications queue carries. "new-video" starts a fan-out (sent once a public video
// becomes playable); the consumer answers it with one "new-video-batch" per FAN_OUT_BATCH
// followers, each a follower id range [from, to) (to null: no upper end). A "new-video" for a
// video scheduled ahead comes back delayed, carrying the publishAt it waits for.
import { z } from "zod";

export const newVideoMessageSchema = z.strictObject({
  kind: z.literal("new-video"),
  videoId: z.uuid(),
  publishAt: z.iso.datetime({ offset: true }).optional(),
});
export const newVideoBatchMessageSchema = z.strictObject({
  kind: z.literal("new-video-batch"),
  videoId: z.uuid(),
  from: z.uuid(),
  to: z.uuid().nullable(),
});

export const notificationMessageSchema = z.discriminatedUnion("kind", [newVideoMessageSchema, newVideoBatchMessageSchema]);

export type NewVideoMessage = z.infer<typeof newVideoMessageSchema>;
export type NewVideoBatchMessage = z.infer<typeof newVideoBatchMessageSchema>;
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;
