// HTTP entry points for chunked transcoding. `POST /probe` answers with the plan. A task request
// is answered at once — 202 taken, 503 busy (one task per vCPU) — and the task then runs in the
// background, reporting heartbeats and its outcome through signed callbacks (task-reporter.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { JobFailure } from "../failures.ts";
import { HttpProblem, readJsonBody, sendJson } from "../http-util.ts";
import { runAudioTask } from "./audio-job.ts";
import { runChunkTask, type TaskDeps } from "./chunk-job.ts";
import { runDownloadTask } from "./download-job.ts";
import { planTranscode } from "./plan-task.ts";
import { runStillsTask } from "./stills-job.ts";
import { assertAllowedCallback, assertAllowedSource } from "../source-policy.ts";
import type { SourceWindows } from "../source-windows.ts";
import { TaskReporter } from "./task-reporter.ts";
import {
  audioTaskSchema,
  chunkTaskSchema,
  downloadTaskSchema,
  probeRequestSchema,
  stillsTaskSchema,
  TASK_PATHS,
  type TaskCallback,
  type TaskOutcome,
} from "./task-contract.ts";


/** How many heavy tasks run at once (one per vCPU): the rest are refused with 503. */
export class TaskSlots {
  #capacity: number;
  #free: number;
  #idle: (() => void)[] = [];
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#free = capacity;
  }
  get busy(): boolean {
    return this.#free <= 0;
  }
  tryAcquire(): (() => void) | null {
    if (this.#free <= 0) return null;
    this.#free -= 1;
    let released = false;
    return () => {
      if (!released) this.#free += 1;
      released = true;
      if (this.#free === this.#capacity) for (const wake of this.#idle.splice(0)) wake();
    };
  }
  running(): number {
    return this.#capacity - this.#free;
  }
  #running = new Set<AbortController>();
  /** Registers a running task so shutdown can abort it; returns the unregister function. */
  track(controller: AbortController): () => void {
    this.#running.add(controller);
    return () => this.#running.delete(controller);
  }
  /** Aborts every running task (SIGTERM): the Worker re-queues them when their heartbeats stop. */
  abortAll(): void {
    for (const controller of this.#running) controller.abort();
  }
  /** Resolves once no task runs (each has killed its FFmpeg and removed its temp folder). */
  whenIdle(): Promise<void> {
    if (this.#free === this.#capacity) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

export type TaskContext = TaskDeps & { slots: TaskSlots; sources: SourceWindows };

/** The task with its source read through a loopback URL of `sources` (source-windows.ts) while `use` runs. */
function throughWindows<T extends { videoId: string; source: { url: string } }, R>(ctx: TaskContext, task: T, use: (task: T) => Promise<R>): Promise<R> {
  return ctx.sources.with(
    task.source.url,
    (url) => use({ ...task, source: { ...task.source, url } }),
    // What the task cost storage (requests, bytes): R2 bills operations and this is our egress.
    (reads) => ctx.log.info("source reads", { videoId: task.videoId, requests: reads.requests, mebibytes: Math.round((reads.bytes / 2 ** 20) * 10) / 10 }),
  );
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new HttpProblem(400, "Bad Request", "The task description is invalid",
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })));
  }
  return parsed.data;
}

function failureOf(error: unknown): { code: string; reason: string } {
  const failure = error instanceof JobFailure ? error : new JobFailure("internal", undefined, String(error));
  return { code: failure.code, reason: failure.reason };
}

type Run = (signal: AbortSignal) => Promise<Omit<Extract<TaskOutcome, { ok: true }>, "ok">>;
type Prepared = { identity: Pick<TaskCallback, "videoId" | "jobId" | "task">; callbackUrl: string; run: Run };

/**
 * Validation happens before a task is taken: a bad body is a 400, not a failed task. Sources
 * must be in our bucket and callbacks go to our origin only, whoever signed the request.
 */
function prepare(pathname: string, body: unknown, ctx: TaskContext): Prepared | null {
  const allowed = <T extends { source: { url: string }; callback: { url: string } }>(task: T): T => {
    assertAllowedSource(ctx.config, task.source.url);
    assertAllowedCallback(ctx.config, task.callback.url);
    return task;
  };
  const identity = (t: { videoId: string; jobId: string }, kind: TaskCallback["task"]["kind"], index: number) => ({ videoId: t.videoId, jobId: t.jobId, task: { kind, index } });
  switch (pathname) {
    case TASK_PATHS.chunk: {
      const task = allowed(parse(chunkTaskSchema, body));
      return { identity: identity(task, "chunk", task.chunk.index), callbackUrl: task.callback.url, run: (signal) => throughWindows(ctx, task, (t) => runChunkTask(t, ctx, signal)) };
    }
    case TASK_PATHS.audio: {
      const task = allowed(parse(audioTaskSchema, body));
      return { identity: identity(task, "audio", task.audio.index), callbackUrl: task.callback.url, run: (signal) => throughWindows(ctx, task, (t) => runAudioTask(t, ctx, signal)) };
    }
    case TASK_PATHS.stills: {
      const task = allowed(parse(stillsTaskSchema, body));
      return { identity: identity(task, "stills", 0), callbackUrl: task.callback.url, run: async (signal) => ({ renditions: [], ...(await throughWindows(ctx, task, (t) => runStillsTask(t, ctx, signal))) }) };
    }
    case TASK_PATHS.download: {
      // Reads published renditions through our own storage client: no source URL to check.
      const task = parse(downloadTaskSchema, body);
      assertAllowedCallback(ctx.config, task.callback.url);
      return { identity: identity(task, "download", 0), callbackUrl: task.callback.url, run: async (signal) => ({ renditions: [], ...(await runDownloadTask(task, ctx, signal)) }) };
    }
    default:
      return null;
  }
}

/** Handles /probe and /tasks/*; returns false for other paths. */
export async function handleTaskRequest(req: IncomingMessage, res: ServerResponse, pathname: string, ctx: TaskContext): Promise<boolean> {
  if (pathname === TASK_PATHS.probe) {
    const request = parse(probeRequestSchema, await readJsonBody(req));
    assertAllowedSource(ctx.config, request.source.url);
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      sendJson(res, 200, { ok: true, plan: await throughWindows(ctx, request, (r) => planTranscode(r, ctx, controller.signal)) });
    } catch (error) {
      ctx.log.warn("probe failed", { videoId: request.videoId, error: String(error) });
      sendJson(res, 200, { ok: false, failure: failureOf(error) });
    }
    return true;
  }
  if (!pathname.startsWith("/tasks/")) return false;
  const prepared = prepare(pathname, await readJsonBody(req), ctx);
  if (!prepared) return false;
  const release = ctx.slots.tryAcquire();
  if (!release) {
    res.writeHead(503, { "content-type": "application/json", "retry-after": "2", "cache-control": "no-store" });
    res.end(JSON.stringify({ busy: true }));
    return true;
  }
  sendJson(res, 202, { accepted: true });
  void runInBackground(prepared, ctx, release);
  return true;
}

async function runInBackground(prepared: Prepared, ctx: TaskContext, release: () => void): Promise<void> {
  const controller = new AbortController();
  const stopTracking = ctx.slots.track(controller);
  const reporter = new TaskReporter({
    url: prepared.callbackUrl,
    secret: ctx.config.callbackSecret,
    heartbeatMs: ctx.config.heartbeatMs,
    identity: prepared.identity,
    log: ctx.log,
    onGone: () => controller.abort(),
  });
  reporter.startHeartbeat();
  const started = Date.now();
  let outcome: TaskOutcome;
  try {
    outcome = { ok: true, ...(await prepared.run(controller.signal)) };
    ctx.log.info("task done", { videoId: prepared.identity.videoId, ...prepared.identity.task, seconds: (Date.now() - started) / 1000 });
  } catch (error) {
    if (!controller.signal.aborted) ctx.log.warn("task failed", { ...prepared.identity.task, error: String(error) });
    outcome = { ok: false, failure: failureOf(error) };
  } finally {
    reporter.stopHeartbeat();
    stopTracking();
    // The slot is free once FFmpeg is gone and the temp folder removed (the run has returned).
    release();
  }
  // A task aborted because the Worker no longer wants it (or the process is stopping) reports nothing.
  if (!controller.signal.aborted) await reporter.done(outcome);
}
