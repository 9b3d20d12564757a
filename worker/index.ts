import { app } from "./app.ts";
import { serveWithEdgeCache } from "./edge-cache/serve.ts";
import { logPreflightFailure, preflight, preflightResponse } from "./config/preflight.ts";
import { handleQueue } from "./queues/dispatch.ts";
import { runSweeps } from "./sweeps/run.ts";

export { Transcoder } from "./transcode/transcoder-container.ts";
export { RateLimiter } from "./auth/rate-limiter.ts";
export { LoginGuard } from "./auth/login-guard.ts";

// Seconds a queue batch waits before its next delivery while the configuration is unsafe.
const PREFLIGHT_RETRY_DELAY_SECONDS = 60;

// Every entry point checks the configuration first (worker/config/preflight.ts): an unsafe
// deployment serves nothing, consumes nothing and sweeps nothing.
export default {
  fetch(request, env, ctx) {
    const failed = preflight(env);
    if (failed.length) {
      logPreflightFailure(failed);
      return preflightResponse(failed);
    }
    const origin = (req: Request) => Promise.resolve(app.fetch(req, env, ctx));
    // Anonymous public reads from this data center's cache (worker/edge-cache); "off" in tests
    // that need every read to reach the database.
    return env.EDGE_CACHE === "off" ? origin(request) : serveWithEdgeCache(request, ctx, origin);
  },
  async queue(batch, env, ctx) {
    const failed = preflight(env);
    if (failed.length) {
      logPreflightFailure(failed);
      // Kept, not failed: the messages are handled once the configuration is fixed.
      batch.retryAll({ delaySeconds: PREFLIGHT_RETRY_DELAY_SECONDS });
      return;
    }
    return handleQueue(batch, env, ctx);
  },
  scheduled(controller, env, ctx) {
    const failed = preflight(env);
    if (failed.length) return logPreflightFailure(failed);
    ctx.waitUntil(runSweeps(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
