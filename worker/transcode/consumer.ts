// Transcode queue consumer. A batch's messages are handed out in order (audio and the early
// chunks first), each as soon as the previous one has a transcoder, and then run side by side:
// the batch is the fan-out. Database connections are opened per step and never held while a
// task runs (six simultaneous connections per invocation in production).
import { openDatabase } from "../db/connection.ts";
import { transcodeMessageSchema, taskMessageSchema } from "./job-contract.ts";
import { failTranscode } from "./lease.ts";
import { dispatchPlan } from "./plan-dispatch.ts";
import { requeueBusy, runTask } from "./task-dispatch.ts";

export async function handleTranscodeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const running: Promise<void>[] = [];
  for (const message of batch.messages) {
    const parsed = transcodeMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.warn("dropping malformed transcode message", message.id);
      message.ack();
      continue;
    }
    let taken!: () => void;
    const handedOut = new Promise<void>((resolve) => (taken = resolve));
    const body = parsed.data;
    const work = (async () => {
      try {
        if ("task" in body) await runTask(env, body, { onBusy: () => requeueBusy(env, body), onTaken: taken });
        else await dispatchPlan(env, body);
        message.ack();
      } catch (error) {
        // Database or queue trouble: the queue redelivers with backoff, then the DLQ.
        console.warn("transcode message failed", message.id, error instanceof Error ? error.message : error);
        message.retry({ delaySeconds: Math.min(60, 5 * message.attempts) });
      } finally {
        taken();
      }
    })();
    running.push(work);
    // Plans run their first chunk inline; tasks wait only until a transcoder took them.
    await ("task" in body ? handedOut : Promise.resolve());
  }
  await Promise.all(running);
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
