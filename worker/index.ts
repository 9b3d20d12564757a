import { app } from "./app.ts";
import { handleQueue } from "./queues/dispatch.ts";
import { runSweeps } from "./sweeps/run.ts";

export { Transcoder } from "./transcode/transcoder-container.ts";
export { RateLimiter } from "./auth/rate-limiter.ts";

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(runSweeps(env));
  },
} satisfies ExportedHandler<Env>;
