// The only way onto the transcode queue.
import type { PlanMessage, TaskMessage, TranscodeMessage } from "./job-contract.ts";

type QueueEnv = Pick<Env, "TRANSCODE_QUEUE">;

export async function enqueueTranscode(env: QueueEnv, message: TranscodeMessage, opts: { delaySeconds?: number } = {}): Promise<void> {
  await env.TRANSCODE_QUEUE.send(message, opts.delaySeconds ? { delaySeconds: opts.delaySeconds } : undefined);
}

/** Many task messages at once (Queues take at most 100 per batch). */
export async function enqueueTasks(env: QueueEnv, messages: TaskMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 100) {
    await env.TRANSCODE_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  }
}

export const planMessage = (videoId: string, reason: PlanMessage["reason"]): PlanMessage => ({ videoId, reason });
