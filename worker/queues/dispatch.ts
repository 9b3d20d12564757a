import { handleTranscodeBatch, handleTranscodeDeadLetters } from "../transcode/consumer.ts";
import { handleViewsBatch } from "../views/consumer.ts";
import { handleNotificationsBatch } from "../notifications/consumer.ts";
import { queueNames } from "./names.ts";

export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (batch.queue) {
    case queueNames.transcode:
      return handleTranscodeBatch(batch, env);
    case queueNames.views:
      return handleViewsBatch(batch, env);
    case queueNames.notifications:
      return handleNotificationsBatch(batch, env);
    case queueNames.transcodeDeadLetter:
      return handleTranscodeDeadLetters(batch, env);
    default:
      console.warn("message batch from an unknown queue", batch.queue);
      batch.retryAll();
  }
}
