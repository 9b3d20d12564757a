// Signed callbacks from running tasks: heartbeats keep a task from being handed out again, and
// "done" carries a task's outcome.
import { and, eq, ne, sql } from "drizzle-orm";
import { transcodeTasks } from "#db/schema.ts";
import type { TaskCallback } from "#transcoder/chunks/task-contract.ts";
import type { Database } from "../db/connection.ts";
import type { TaskMessage } from "./job-contract.ts";
import { publishDownload } from "../downloads/tasks.ts";
import { publishProgress } from "./publish.ts";
import { dispatchNext } from "./next-task.ts";
import { recordOutcome } from "./task-dispatch.ts";

/** False when the callback belongs to no current task (the sender should stop: 410). */
export async function applyTaskCallback(env: Env, db: Database, callback: TaskCallback): Promise<boolean> {
  const message: TaskMessage = { videoId: callback.videoId, jobId: callback.jobId, task: callback.task };
  const current = and(
    eq(transcodeTasks.videoId, callback.videoId),
    eq(transcodeTasks.kind, callback.task.kind),
    eq(transcodeTasks.index, callback.task.index),
    eq(transcodeTasks.jobId, callback.jobId),
    ne(transcodeTasks.state, "done"),
  );
  switch (callback.event) {
    case "heartbeat": {
      const rows = await db.update(transcodeTasks).set({ updatedAt: sql`now()` }).where(current).returning({ index: transcodeTasks.index });
      return rows.length > 0;
    }
    case "done": {
      if (!callback.outcome) return false;
      const recorded = await recordOutcome(env, db, message, callback.outcome);
      if (!recorded.current) return false;
      // The reporting transcoder's slot is free: refill it (a failed task waits for its backoff,
      // so it is not the one handed out) before publishing what the task completed — except for
      // the first video and audio chunks, whose publishing makes the video playable.
      const makesPlayable = recorded.completed && (callback.task.kind === "chunk" || callback.task.kind === "audio") && callback.task.index === 0;
      if (makesPlayable) await publishProgress(env, db, callback.videoId, callback.jobId);
      if (recorded.slot !== null) await dispatchNext(env, db, callback.videoId, callback.jobId, recorded.slot, callback.outcome.ok ? undefined : callback.task);
      if (recorded.completed && !makesPlayable) await (callback.task.kind === "download" ? publishDownload : publishProgress)(env, db, callback.videoId, callback.jobId);
      return true;
    }
  }
}
