// HTTP entry points for chunked transcoding. A task holds its request open: the answer's
// status (200 taken, 503 busy) goes out at once, the JSON outcome when the work is done, with
// a space every few seconds meanwhile so no proxy drops an idle connection. A caller that goes
// away (consumer died, Worker redeploy) aborts the work: the task is retried elsewhere.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { JobFailure } from "../failures.ts";
import { HttpProblem, readJsonBody, sendJson } from "../http-util.ts";
import { runAudioTask } from "./audio-job.ts";
import { runChunkTask, type TaskDeps } from "./chunk-job.ts";
import { planTranscode } from "./plan-task.ts";
import { runStillsTask } from "./stills-job.ts";
import {
  audioTaskSchema,
  chunkTaskSchema,
  probeRequestSchema,
  stillsTaskSchema,
  TASK_PATHS,
  type TaskOutcome,
} from "./task-contract.ts";

const KEEPALIVE_MS = 5_000;

/** How many heavy tasks run at once (one per vCPU): the rest are refused with 503. */
export class TaskSlots {
  #free: number;
  constructor(capacity: number) {
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
    };
  }
  running(capacity: number): number {
    return capacity - this.#free;
  }
}

export type TaskContext = TaskDeps & { slots: TaskSlots };

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

/** Handles /probe and /tasks/*; returns false for other paths. */
export async function handleTaskRequest(req: IncomingMessage, res: ServerResponse, pathname: string, ctx: TaskContext): Promise<boolean> {
  type Run = (signal: AbortSignal) => Promise<Omit<Extract<TaskOutcome, { ok: true }>, "ok">>;
  // Validation happens before the task is taken (a bad body is a 400, not a failed task).
  const runners: Record<string, (body: unknown) => Run> = {
    [TASK_PATHS.chunk]: (body) => {
      const task = parse(chunkTaskSchema, body);
      return (signal) => runChunkTask(task, ctx, signal);
    },
    [TASK_PATHS.audio]: (body) => {
      const task = parse(audioTaskSchema, body);
      return (signal) => runAudioTask(task, ctx, signal);
    },
    [TASK_PATHS.stills]: (body) => {
      const task = parse(stillsTaskSchema, body);
      return async (signal) => ({ renditions: [], ...(await runStillsTask(task, ctx, signal)) });
    },
  };
  if (pathname === TASK_PATHS.probe) {
    const request = parse(probeRequestSchema, await readJsonBody(req));
    const controller = abortOnClose(req, res);
    try {
      sendJson(res, 200, { ok: true, plan: await planTranscode(request, ctx, controller.signal) });
    } catch (error) {
      ctx.log.warn("probe failed", { videoId: request.videoId, error: String(error) });
      sendJson(res, 200, { ok: false, failure: failureOf(error) });
    }
    return true;
  }
  const runner = runners[pathname];
  if (!runner) return false;
  const run = runner(await readJsonBody(req));
  const release = ctx.slots.tryAcquire();
  if (!release) {
    res.writeHead(503, { "content-type": "application/json", "retry-after": "2", "cache-control": "no-store" });
    res.end(JSON.stringify({ busy: true }));
    return true;
  }
  const controller = abortOnClose(req, res);
  try {
    const work = run(controller.signal);
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    const keepalive = setInterval(() => res.write(" "), KEEPALIVE_MS);
    let outcome: TaskOutcome;
    try {
      outcome = { ok: true, ...(await work) };
    } catch (error) {
      if (!controller.signal.aborted) ctx.log.warn("task failed", { path: pathname, error: String(error) });
      outcome = { ok: false, failure: failureOf(error) };
    } finally {
      clearInterval(keepalive);
    }
    res.end(JSON.stringify(outcome));
  } finally {
    release();
  }
  return true;
}

function abortOnClose(req: IncomingMessage, res: ServerResponse): AbortController {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on("aborted", () => controller.abort());
  return controller;
}
