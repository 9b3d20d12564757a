// How long a running task may go on without the Worker confirming it is still wanted, and so
// when, after a video is deleted, nothing of it can still be written. Shared by the transcoder
// (which stops a task whose lease ran out) and the Worker (which hands such tasks out again, and
// keeps emptying a deleted video's prefix until the horizon has passed). No Node imports.
//
// A task's lease starts when the transcoder takes it and is renewed by every callback the
// Worker acknowledges (2xx), counted from when that callback was sent. The Worker stops
// acknowledging a deleted video's callbacks (410), so the last renewal was sent before the
// deletion, and the task has stopped — FFmpeg killed, in-flight uploads aborted — within
// TASK_LEASE_SECONDS of it.

/** A task with no acknowledged callback for this long is stopped by its transcoder. */
export const TASK_LEASE_SECONDS = 45;

/** How often the transcoder checks a task's lease. */
export const LEASE_CHECK_MS = 1_000;

/**
 * An upload whose bytes were all sent before its task stopped may still be committed by storage
 * after the client gave up on it: this much is allowed for that.
 */
export const WRITE_GRACE_SECONDS = 30;

/** After a video's deletion, no task of it can write any more (lease + check interval + grace). */
export const LATE_WRITE_HORIZON_SECONDS = TASK_LEASE_SECONDS + Math.ceil(LEASE_CHECK_MS / 1000) + WRITE_GRACE_SECONDS;

/** The transcoder's side: when the last acknowledged callback was sent, and whether it is too long ago. */
export class TaskLease {
  #renewedAt: number;
  #leaseMs: number;
  constructor(now: number = Date.now(), leaseMs: number = TASK_LEASE_SECONDS * 1000) {
    this.#renewedAt = now;
    this.#leaseMs = leaseMs;
  }
  /** A callback sent at `sentAt` (ms) was acknowledged. */
  renew(sentAt: number): void {
    this.#renewedAt = Math.max(this.#renewedAt, sentAt);
  }
  expired(now: number = Date.now()): boolean {
    return now - this.#renewedAt > this.#leaseMs;
  }
}
