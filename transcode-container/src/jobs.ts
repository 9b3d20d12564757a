// Job registry: at most one run per video. A repeated POST of the running job is a no-op; a
// different job or attempt for the same video replaces the running one, which is killed and
// silenced before the new run starts writing (both write the same keys). A run whose callback
// the Worker answers with 410 Gone (superseded attempt) is cancelled the same way.
import type { JobRequest, JobState } from "./contract.ts";
import { runTranscodeJob, type JobDeps, type JobHooks, type JobOutcome } from "./job-runner.ts";

export type JobView = {
  videoId: string;
  jobId: string;
  attempt: number;
  state: JobState;
  progress: number;
};

type JobEntry = {
  request: JobRequest;
  state: JobState;
  progress: number;
  controller: AbortController;
  /** Settles when the run has stopped writing and its temp folder is gone. */
  settled: Promise<void>;
};

/** Finished jobs kept for GET /jobs/:videoId. */
const MAX_FINISHED = 500;

export type JobRunner = (
  request: JobRequest,
  deps: JobDeps,
  signal: AbortSignal,
  hooks: JobHooks,
) => Promise<JobOutcome>;

export class JobRegistry {
  #jobs = new Map<string, JobEntry>();
  #deps: JobDeps;
  #runner: JobRunner;

  constructor(deps: JobDeps, runner: JobRunner = runTranscodeJob) {
    this.#deps = deps;
    this.#runner = runner;
  }

  submit(request: JobRequest): { duplicate: boolean } {
    const existing = this.#jobs.get(request.videoId);
    if (existing && existing.state === "running") {
      if (existing.request.jobId === request.jobId && existing.request.attempt === request.attempt) {
        return { duplicate: true };
      }
      this.#deps.log.info("replacing running job", {
        videoId: request.videoId,
        oldJobId: existing.request.jobId,
        oldAttempt: existing.request.attempt,
        jobId: request.jobId,
        attempt: request.attempt,
      });
      existing.state = "cancelled";
      existing.controller.abort();
    }
    const previous = existing?.settled ?? Promise.resolve();
    const controller = new AbortController();
    const entry: JobEntry = { request, state: "running", progress: 0, controller, settled: Promise.resolve() };
    entry.settled = (async () => {
      // Never let two runs of one video write at once.
      await previous.catch(() => {});
      if (controller.signal.aborted) return;
      try {
        const settle = (outcome: JobOutcome) => {
          if (entry.state === "running") entry.state = outcome.state;
        };
        const outcome = await this.#runner(request, this.#deps, controller.signal, {
          onProgress: (p) => {
            entry.progress = p;
          },
          onOutcome: settle,
          onSuperseded: () => {
            if (entry.state !== "running") return;
            this.#deps.log.info("job superseded (callback answered 410)", { videoId: request.videoId, jobId: request.jobId });
            entry.state = "cancelled";
            controller.abort();
          },
        });
        settle(outcome);
      } catch (error) {
        // The runner reports its own failures; this is a last line so the server never dies.
        this.#deps.log.error("job crashed", { videoId: request.videoId, error: String(error) });
        if (entry.state === "running") entry.state = "failed";
      }
    })();
    this.#jobs.delete(request.videoId);
    this.#jobs.set(request.videoId, entry);
    this.#trim();
    return { duplicate: false };
  }

  get(videoId: string): JobView | null {
    const entry = this.#jobs.get(videoId);
    if (!entry) return null;
    return {
      videoId,
      jobId: entry.request.jobId,
      attempt: entry.request.attempt,
      state: entry.state,
      progress: entry.progress,
    };
  }

  /** Cancels the video's running job; resolves once it no longer writes anything. */
  async cancel(videoId: string, timeoutMs = 15_000): Promise<boolean> {
    const entry = this.#jobs.get(videoId);
    if (!entry || entry.state !== "running") return false;
    entry.state = "cancelled";
    entry.controller.abort();
    await Promise.race([entry.settled, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    return true;
  }

  runningCount(): number {
    let count = 0;
    for (const entry of this.#jobs.values()) if (entry.state === "running") count += 1;
    return count;
  }

  /** Stop everything (SIGTERM): the Worker's lease expiry will retry these jobs elsewhere. */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    const running = [...this.#jobs.values()].filter((e) => e.state === "running");
    for (const entry of running) {
      entry.state = "cancelled";
      entry.controller.abort();
    }
    await Promise.race([
      Promise.all(running.map((e) => e.settled)),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  #trim(): void {
    if (this.#jobs.size <= MAX_FINISHED) return;
    for (const [videoId, entry] of this.#jobs) {
      if (this.#jobs.size <= MAX_FINISHED) break;
      if (entry.state !== "running") this.#jobs.delete(videoId);
    }
  }
}
