// What a running task tells the Worker, as signed callbacks to the URL in its request: a
// heartbeat every few seconds (the Worker re-queues a task whose heartbeats stop) and the
// outcome, retried until the Worker has it. A 410 answer means the
// task is no longer wanted (video deleted, job superseded): the task is aborted.
import { signCallback } from "../callback-signature.ts";
import { SIGNATURE_HEADER } from "../contract.ts";
import type { Logger } from "../log.ts";
import type { TaskCallback, TaskOutcome } from "./task-contract.ts";
import { LEASE_CHECK_MS, TaskLease } from "./task-lease.ts";

const REQUEST_TIMEOUT_MS = 10_000;
/** About two minutes of retries for the outcome, then the Worker's sweep takes over. */
const OUTCOME_ATTEMPTS = 12;

export class TaskReporter {
  #url: string;
  #secret: string;
  #identity: Pick<TaskCallback, "videoId" | "jobId" | "task">;
  #log: Logger;
  #onGone: () => void;
  /** Renewed by every acknowledged callback; when it runs out the task stops (task-lease.ts). */
  #lease: TaskLease | null = null;
  #leaseCheck: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatMs: number;

  constructor(options: { url: string; secret: string; heartbeatMs: number; identity: Pick<TaskCallback, "videoId" | "jobId" | "task">; log: Logger; onGone: () => void }) {
    this.#heartbeatMs = options.heartbeatMs;
    this.#url = options.url;
    this.#secret = options.secret;
    this.#identity = options.identity;
    this.#log = options.log;
    this.#onGone = options.onGone;
  }

  /** Heartbeats, and the lease they renew: a task nobody acknowledges for too long is stopped. */
  startHeartbeat(lease: TaskLease = new TaskLease()): void {
    this.#lease = lease;
    this.#leaseCheck = setInterval(() => {
      if (!lease.expired()) return;
      this.#log.warn("task lease ran out (no callback acknowledged): stopping it", { ...this.#identity.task });
      this.stopHeartbeat();
      this.#onGone();
    }, LEASE_CHECK_MS);
    this.#leaseCheck.unref();
    this.#heartbeat = setInterval(() => void this.#send({ event: "heartbeat" }, 1), this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (this.#leaseCheck) clearInterval(this.#leaseCheck);
    this.#leaseCheck = null;
  }

  done(outcome: TaskOutcome): Promise<void> {
    this.stopHeartbeat();
    return this.#send({ event: "done", outcome }, OUTCOME_ATTEMPTS);
  }

  async #send(extra: Pick<TaskCallback, "event" | "outcome">, attempts: number): Promise<void> {
    const body = JSON.stringify({ ...this.#identity, ...extra, at: new Date().toISOString() } satisfies TaskCallback);
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const sentAt = Date.now();
        const response = await fetch(this.#url, {
          method: "POST",
          headers: { "content-type": "application/json", [SIGNATURE_HEADER]: await signCallback(this.#secret, body) },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.body?.cancel().catch(() => {});
        if (response.status === 410) {
          this.#log.info("the Worker no longer wants this task", { ...this.#identity.task, event: extra.event });
          this.#onGone();
          return;
        }
        if (response.ok) {
          this.#lease?.renew(sentAt);
          return;
        }
        // Rejected for good (bad signature, bad body): retrying the same bytes will not help.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.#log.warn("task callback rejected", { event: extra.event, status: response.status });
          return;
        }
      } catch (error) {
        this.#log.warn("task callback failed", { event: extra.event, attempt, error: String(error) });
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 500 * 2 ** (attempt - 1))));
    }
    if (attempts > 1) this.#log.error("task callback given up", { event: extra.event });
  }
}
