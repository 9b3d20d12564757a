// Builds the HTTP server around a job registry. Separate from main.ts so it can be started in
// process with other dependencies.
import { createServer, type Server } from "node:http";
import type { Config } from "./config.ts";
import { ffmpegVersion } from "./ffmpeg-process.ts";
import { TaskSlots } from "./chunks/task-routes.ts";
import { handleRequest } from "./job-routes.ts";
import { JobRegistry } from "./jobs.ts";
import type { Logger } from "./log.ts";
import { createS3Storage, type Storage } from "./storage.ts";
import { wipeStaleJobDirs } from "./work-dir.ts";

export type Transcoder = { server: Server; registry: JobRegistry; close(): Promise<void> };

export async function createTranscoder(
  config: Config,
  log: Logger,
  options: { storage?: Storage; callbackBackoffMs?: number } = {},
): Promise<Transcoder> {
  const version = await ffmpegVersion(config.ffmpegPath);
  const wiped = await wipeStaleJobDirs(config.workDir);
  if (wiped.length > 0) log.info("removed stale job folders", { count: wiped.length });

  const storage = options.storage ?? createS3Storage(config.s3);
  const registry = new JobRegistry({ config, storage, log, callbackBackoffMs: options.callbackBackoffMs });
  const tasks = { config, storage, log, slots: new TaskSlots(config.taskSlots) };
  const server = createServer((req, res) => {
    void handleRequest(req, res, { registry, tasks, ffmpegVersion: version, log });
  });
  // Slow or idle Worker connections must not pin sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return {
    server,
    registry,
    async close() {
      await registry.shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
