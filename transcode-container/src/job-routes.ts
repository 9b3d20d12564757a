// HTTP routes the Worker calls: /health, /probe and the /tasks/* entry points. Routing is a
// handful of paths, so plain node:http is enough.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleTaskRequest, type TaskContext } from "./chunks/task-routes.ts";
import { HttpProblem, requireSignedRequest, sendJson, sendProblem } from "./http-util.ts";
import type { Logger } from "./log.ts";

export type RouteContext = { tasks: TaskContext; ffmpegVersion: string; log: Logger };

export async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  try {
    await requireSignedRequest(req, ctx.tasks.config.callbackSecret); // 401 unless signed; GET /health is open
    const url = new URL(req.url ?? "/", "http://transcoder.local");
    const pathname = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (pathname === "/health" && method === "GET") {
      const running = ctx.tasks.slots.running();
      sendJson(res, 200, { ok: true, ffmpeg: ctx.ffmpegVersion, running, busy: ctx.tasks.slots.busy });
      return;
    }
    if (method === "POST" && (await handleTaskRequest(req, res, pathname, ctx.tasks))) return;
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
