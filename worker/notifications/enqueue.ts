// The one call publishing makes (worker/transcode/publish.ts) when a video first becomes
// playable: queue the fan-out and return. Nothing about followers happens in the callback.
import type { NewVideoMessage } from "./messages.ts";

/**
 * Queues the new-video fan-out. Never throws: a queue outage must not fail publishing (the
 * consumer decides whether the video notifies at all: public, not removed, publishAt reached).
 */
export async function enqueueNewVideoNotifications(env: Pick<Env, "NOTIFICATIONS_QUEUE">, videoId: string): Promise<void> {
  try {
    await env.NOTIFICATIONS_QUEUE.send({ kind: "new-video", videoId } satisfies NewVideoMessage);
  } catch (err) {
    console.error(JSON.stringify({ level: "error", event: "notification_enqueue_failed", videoId, error: String(err) }));
  }
}
