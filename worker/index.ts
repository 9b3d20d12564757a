import { app } from "./app.ts";
import { serveWithEdgeCache } from "./edge-cache/serve.ts";
import { handleQueue } from "./queues/dispatch.ts";
import { runSweeps } from "./sweeps/run.ts";

export { Transcoder } from "./transcode/transcoder-container.ts";
export { RateLimiter } from "./auth/rate-limiter.ts";

export default {
  fetch(request, env, ctx) {
    const origin = (req: Request) => Promise.resolve(app.fetch(req, env, ctx));
    // Anonymous public reads from this data center's cache (worker/edge-cache); "off" in tests
    // that need every read to reach the database.
    return env.EDGE_CACHE === "off" ? origin(request) : serveWithEdgeCache(request, ctx, origin);
  },
  queue: handleQueue,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runSweeps(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
