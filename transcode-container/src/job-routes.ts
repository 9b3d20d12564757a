// HTTP routes the Worker calls: /health and /jobs. Routing is a handful of patterns, so plain
// node:http is enough.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleTaskRequest, type TaskContext } from "./chunks/task-routes.ts";
import { jobRequestSchema } from "./contract.ts";
import { HttpProblem, readJsonBody, requireSignedRequest, sendEmpty, sendJson, sendProblem } from "./http-util.ts";
import type { JobRegistry } from "./jobs.ts";
import type { Logger } from "./log.ts";

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const JOB_PATH = new RegExp(`^/jobs/(${UUID})$`);

export type RouteContext = { registry: JobRegistry; tasks: TaskContext; ffmpegVersion: string; log: Logger };

export async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  try {
    await requireSignedRequest(req, ctx.tasks.config.callbackSecret); // 401 unless signed; GET /health is open
    const url = new URL(req.url ?? "/", "http://transcoder.local");
    const pathname = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (pathname === "/health" && method === "GET") {
      const running = ctx.registry.runningCount() + ctx.tasks.slots.running(ctx.tasks.config.taskSlots);
      sendJson(res, 200, { ok: true, ffmpeg: ctx.ffmpegVersion, running, busy: ctx.tasks.slots.busy });
      return;
    }
    if (method === "POST" && (await handleTaskRequest(req, res, pathname, ctx.tasks))) return;
    if (pathname === "/jobs" && method === "POST") {
      await postJob(req, res, ctx);
      return;
    }
    const match = JOB_PATH.exec(pathname);
    if (match && method === "GET") {
      const job = ctx.registry.get(match[1]);
      if (!job) throw new HttpProblem(404, "Not Found", `No job known for video ${match[1]}`);
      sendJson(res, 200, job);
      return;
    }
    if (match && method === "DELETE") {
      // Waits until the run has stopped writing, so the Worker can delete the prefix after 204.
      await ctx.registry.cancel(match[1]);
      sendEmpty(res, 204);
      return;
    }
    throw new HttpProblem(404, "Not Found", `No route for ${method} ${pathname}`);
  } catch (error) {
    if (error instanceof HttpProblem) {
      sendProblem(res, error);
      return;
    }
    ctx.log.error("request failed", { error: String(error) });
    if (!res.headersSent) sendProblem(res, new HttpProblem(500, "Internal Server Error", "Unexpected error"));
    else res.destroy();
  }
}

async function postJob(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const body = await readJsonBody(req);
  const parsed = jobRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new HttpProblem(
      400,
      "Bad Request",
      "The job description is invalid",
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  const request = parsed.data;
  const { duplicate } = ctx.registry.submit(request);
  ctx.log.info(duplicate ? "duplicate job ignored" : "job accepted", {
    videoId: request.videoId,
    jobId: request.jobId,
    attempt: request.attempt,
  });
  sendJson(res, 202, duplicate ? { accepted: true, jobId: request.jobId, duplicate: true } : { accepted: true, jobId: request.jobId });
}
