// Transcode queue consumer: plans fan out, tasks are handed to free transcoders. Nothing here
// waits for a transcode: tasks report back through signed callbacks, so one invocation can
// keep a whole fleet busy and Queues' consumer scaling does not limit the fan-out.
import { openDatabase } from "../db/connection.ts";
import { transcodeMessageSchema, taskMessageSchema } from "./job-contract.ts";
import { failTranscode } from "./lease.ts";
import { dispatchPlan } from "./plan-dispatch.ts";
import { pumpVideo } from "./next-task.ts";

export async function handleTranscodeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // In order: a plan starts its first tasks, a task message starts its job's next pending tasks
  // on free slots (next-task.ts). Each message takes well under a second.
  for (const message of batch.messages) {
    const parsed = transcodeMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.warn("dropping malformed transcode message", message.id);
      message.ack();
      continue;
    }
    const body = parsed.data;
    try {
      if ("task" in body) await pumpVideo(env, body);
      else await dispatchPlan(env, body);
      message.ack();
    } catch (error) {
      // Database or queue trouble: the queue redelivers with backoff, then the DLQ.
      console.warn("transcode message failed", message.id, error instanceof Error ? error.message : error);
      message.retry({ delaySeconds: Math.min(60, 5 * message.attempts) });
    }
  }
}

/** Messages that exhausted their retries: the video fails with a reason a person understands. */
export async function handleTranscodeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    for (const message of batch.messages) {
      const parsed = transcodeMessageSchema.safeParse(message.body);
      if (parsed.success) {
        const task = taskMessageSchema.safeParse(message.body);
        await failTranscode(db, parsed.data.videoId, task.success ? task.data.jobId : null, "Our transcoder could not process this video. Try uploading again.");
      }
      message.ack();
    }
  } finally {
    await close();
  }
}
