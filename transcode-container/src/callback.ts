// Signed callbacks to the Worker, one job at a time, in order. Milestones (started, playable,
// ready, failed) are retried with backoff because they must arrive; progress is best effort
// and coalesced (only the latest value matters, and the next heartbeat follows soon).
import { signCallback } from "./callback-signature.ts";
import { SIGNATURE_HEADER, type CallbackEvent, type CallbackPayload } from "./contract.ts";
import type { Logger } from "./log.ts";

type Extra = Omit<CallbackPayload, "jobId" | "videoId" | "attempt" | "event" | "at">;

const MILESTONE_ATTEMPTS = 8;
const REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;

export class CallbackChannel {
  #url: string;
  #secret: string;
  #identity: { jobId: string; videoId: string; attempt: number };
  #signal: AbortSignal;
  #log: Logger;
  #chain: Promise<void> = Promise.resolve();
  #pendingProgress: Extra | null = null;
  #progressQueued = false;
  #backoffBaseMs: number;
  #onSuperseded: () => void;

  constructor(options: {
    url: string;
    secret: string;
    identity: { jobId: string; videoId: string; attempt: number };
    /** Aborted when the job is cancelled: nothing more is sent. */
    signal: AbortSignal;
    log: Logger;
    backoffBaseMs?: number;
    /** The Worker answered 410 Gone: this job or attempt was superseded and should stop. */
    onSuperseded?: () => void;
  }) {
    this.#url = options.url;
    this.#secret = options.secret;
    this.#identity = options.identity;
    this.#signal = options.signal;
    this.#log = options.log;
    this.#backoffBaseMs = options.backoffBaseMs ?? BACKOFF_BASE_MS;
    this.#onSuperseded = options.onSuperseded ?? (() => {});
  }

  /** Queue a milestone event; resolves once delivered or given up. */
  send(event: Exclude<CallbackEvent, "progress">, extra: Extra = {}): Promise<void> {
    const payload = this.#payload(event, extra);
    const delivery = this.#chain.then(() => this.#deliver(payload, MILESTONE_ATTEMPTS));
    this.#chain = delivery;
    return delivery;
  }

  /** Queue a progress heartbeat; replaces one that has not gone out yet. */
  progress(extra: Extra): void {
    this.#pendingProgress = extra;
    if (this.#progressQueued) return;
    this.#progressQueued = true;
    this.#chain = this.#chain.then(async () => {
      this.#progressQueued = false;
      const latest = this.#pendingProgress;
      this.#pendingProgress = null;
      if (latest) await this.#deliver(this.#payload("progress", latest), 1);
    });
  }

  /** Resolves when everything queued so far has been delivered or given up. */
  drain(): Promise<void> {
    return this.#chain;
  }

  #payload(event: CallbackEvent, extra: Extra): CallbackPayload {
    return { ...this.#identity, event, at: new Date().toISOString(), ...extra };
  }

  async #deliver(payload: CallbackPayload, attempts: number): Promise<void> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.#signal.aborted) return;
      try {
        const response = await fetch(this.#url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: await signCallback(this.#secret, body),
          },
          body,
          signal: AbortSignal.any([this.#signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        });
        await response.body?.cancel().catch(() => {});
        if (response.ok) return;
        if (response.status === 410) {
          this.#log.info("callback says the job was superseded; stopping", { event: payload.event });
          this.#onSuperseded();
          return;
        }
        // 4xx other than timeout/rate limit: the Worker rejected it for good; retrying won't help.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.#log.warn("callback rejected", { event: payload.event, status: response.status });
          return;
        }
        this.#log.warn("callback failed", { event: payload.event, status: response.status, attempt });
      } catch (error) {
        if (this.#signal.aborted) return;
        this.#log.warn("callback error", { event: payload.event, attempt, error: String(error) });
      }
      if (attempt < attempts) {
        const delay = Math.min(BACKOFF_MAX_MS, this.#backoffBaseMs * 2 ** (attempt - 1));
        await sleep(delay, this.#signal);
      }
    }
    if (attempts > 1) this.#log.error("callback given up", { event: payload.event });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
