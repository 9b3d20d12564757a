// Signed callbacks from transcoder tasks. Chunks and stills answer their own request; the one
// event that arrives out of band is the audio task's "playable" (its first segment is out),
// which may complete the conditions for the video to become playable.
import { and, eq, ne, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import type { CallbackEvent } from "./job-contract.ts";
import { publishProgress } from "./publish.ts";

/** False when the event belongs to no current task (a superseded job: the sender should stop). */
export async function applyCallbackEvent(env: Env, db: Database, event: CallbackEvent): Promise<boolean> {
  if (event.event !== "playable") {
    const [video] = await db.select({ id: videos.id }).from(videos).where(and(eq(videos.id, event.videoId), eq(videos.jobId, event.jobId), eq(videos.status, "processing")));
    return Boolean(video);
  }
  const rows = await db
    .update(transcodeTasks)
    .set({ result: sql`coalesce(${transcodeTasks.result}, '{}'::jsonb) || '{"playable": true}'::jsonb`, updatedAt: sql`now()` })
    .where(and(eq(transcodeTasks.videoId, event.videoId), eq(transcodeTasks.kind, "audio"), eq(transcodeTasks.jobId, event.jobId), ne(transcodeTasks.state, "done")))
    .returning({ videoId: transcodeTasks.videoId });
  if (rows.length === 0) return false;
  await publishProgress(env, db, event.videoId, event.jobId);
  return true;
}
