import { openDatabase } from "../db/connection.ts";
import { viewMessageSchema, type ViewMessage } from "./messages.ts";
import { recordViews } from "./record-views.ts";

export async function handleViewsBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: ViewMessage[] = [];
  for (const message of batch.messages) {
    const parsed = viewMessageSchema.safeParse(message.body);
    if (parsed.success) valid.push(parsed.data);
    else console.warn("dropping malformed view message", message.id);
  }
  const { db, close } = openDatabase(env);
  try {
    await recordViews(db, valid);
    batch.ackAll();
  } catch (err) {
    // The whole batch is one statement: nothing was written, so retrying is safe.
    console.error("recording views failed; batch will be retried", err);
    batch.retryAll({ delaySeconds: 5 });
  } finally {
    await close();
  }
}
