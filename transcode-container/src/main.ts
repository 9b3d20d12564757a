// Transcoder entry point: the same program runs as a local process in development and inside
// the Cloudflare Container (transcode-container/Dockerfile).
import { loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { createTranscoder } from "./server.ts";

const log = createLogger({ service: "transcoder" });

// If whoever reads our output goes away (EPIPE), logging must not turn into a crash loop.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

// A bug in one job must not take down the others: log and keep serving.
process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { reason: String(reason) }));
process.on("uncaughtException", (error) => log.error("uncaught exception", { error: String(error), stack: error.stack }));

async function main(): Promise<void> {
  const config = loadConfig();
  const transcoder = await createTranscoder(config, log);
  await new Promise<void>((resolve, reject) => {
    transcoder.server.once("error", reject);
    transcoder.server.listen(config.port, config.host, () => resolve());
  });
  const address = transcoder.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info("listening", { host: config.host, port, workDir: config.workDir });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    // Kill running FFmpeg processes and remove temp folders; the Worker retries the jobs.
    transcoder.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error) => {
  log.error("failed to start", { error: String(error instanceof Error ? error.message : error) });
  process.exit(1);
});
