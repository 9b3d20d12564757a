// The notifications queue consumer (worker/queues/dispatch.ts): fan-out plans and batches, each
// message acknowledged on its own so one failing batch is retried without redoing the others.
import { openDatabase } from "../db/connection.ts";
import { planFanOut, runFanOutBatch } from "./fan-out.ts";
import { notificationMessageSchema } from "./messages.ts";

/** A video found not yet playable is looked at again this many times (its commit may lag the message). */
const NOT_PLAYABLE_RETRIES = 5;

export async function handleNotificationsBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    for (const message of batch.messages) {
      const parsed = notificationMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        console.warn("dropping malformed notification message", message.id);
        message.ack();
        continue;
      }
      try {
        if (parsed.data.kind === "new-video-batch") {
          await runFanOutBatch(db, parsed.data);
          message.ack();
          continue;
        }
        const outcome = await planFanOut(env, db, parsed.data);
        if (outcome.kind === "not-playable" && message.attempts < NOT_PLAYABLE_RETRIES) message.retry({ delaySeconds: 5 });
        else message.ack();
      } catch (err) {
        // Each step is one statement or idempotent sends: retrying is safe.
        console.error("notification message failed; it will be retried", message.id, err);
        message.retry({ delaySeconds: 5 });
      }
    }
  } finally {
    await close();
  }
}
