// Transcode job state in the videos table. Every write is guarded by the current job id, so a
// stale attempt or a redelivered message can never overwrite a newer result.
import { and, eq, inArray, lt, or, sql, isNull } from "drizzle-orm";
import { videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export type Lease = { videoId: string; jobId: string; attempt: number };

export type LeaseOutcome =
  | { kind: "leased"; lease: Lease }
  | { kind: "busy" } // a healthy attempt is already running
  | { kind: "gone" } // no such video, or nothing left to do (ready, failed, deleted)
  | { kind: "exhausted"; attempt: number };

export async function leaseTranscode(
  db: Database,
  videoId: string,
  opts: { maxAttempts: number; heartbeatTimeoutSeconds: number },
): Promise<LeaseOutcome> {
  const staleBefore = sql`now() - make_interval(secs => ${opts.heartbeatTimeoutSeconds})`;
  const rows = await db
    .update(videos)
    .set({
      status: "processing",
      attempt: sql`${videos.attempt} + 1`,
      jobId: sql`gen_random_uuid()`,
      heartbeatAt: sql`now()`,
      progress: 0,
      plan: null,
      failureReason: null,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(videos.id, videoId),
        lt(videos.attempt, opts.maxAttempts),
        or(
          eq(videos.status, "queued"),
          // A processing video is leased again only while it has no plan: once planned, its
          // tasks are retried one by one and the video keeps its job.
          and(eq(videos.status, "processing"), isNull(videos.plan), or(isNull(videos.heartbeatAt), lt(videos.heartbeatAt, staleBefore))),
        ),
      ),
    )
    .returning({ videoId: videos.id, jobId: videos.jobId, attempt: videos.attempt });
  const leased = rows[0];
  if (leased?.jobId) return { kind: "leased", lease: { videoId: leased.videoId, jobId: leased.jobId, attempt: leased.attempt } };

  const [current] = await db
    .select({ status: videos.status, attempt: videos.attempt })
    .from(videos)
    .where(eq(videos.id, videoId));
  if (!current || current.status === "ready" || current.status === "failed" || current.status === "uploading") return { kind: "gone" };
  if (current.attempt >= opts.maxAttempts) return { kind: "exhausted", attempt: current.attempt };
  return { kind: "busy" };
}

/** Ends a job as failed, only if it is still the current attempt (or any attempt, when jobId is null). */
export async function failTranscode(db: Database, videoId: string, jobId: string | null, reason: string): Promise<boolean> {
  const rows = await db
    .update(videos)
    .set({ status: "failed", failureReason: reason, heartbeatAt: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(videos.id, videoId),
        inArray(videos.status, ["queued", "processing"]),
        jobId ? eq(videos.jobId, jobId) : undefined,
      ),
    )
    .returning({ id: videos.id });
  return rows.length > 0;
}

/** Hands the current attempt back to the queue (status queued); the next lease counts an attempt. */
export async function requeueTranscode(db: Database, videoId: string, jobId: string): Promise<boolean> {
  const rows = await db
    .update(videos)
    .set({ status: "queued", queuedAt: sql`now()`, heartbeatAt: null, updatedAt: sql`now()` })
    .where(and(eq(videos.id, videoId), eq(videos.jobId, jobId), eq(videos.status, "processing")))
    .returning({ id: videos.id });
  return rows.length > 0;
}
