// Builds the HTTP server around the task slots. Separate from main.ts so it can be started in
// process with other dependencies.
import { createServer, type Server } from "node:http";
import type { Config } from "./config.ts";
import { ffmpegVersion } from "./ffmpeg-process.ts";
import { TaskSlots } from "./chunks/task-routes.ts";
import { handleRequest } from "./job-routes.ts";
import type { Logger } from "./log.ts";
import { SourceWindows } from "./source-windows.ts";
import { createS3Storage, type Storage } from "./storage.ts";
import { wipeStaleJobDirs } from "./work-dir.ts";

export type Transcoder = { server: Server; close(): Promise<void> };

export async function createTranscoder(config: Config, log: Logger, options: { storage?: Storage } = {}): Promise<Transcoder> {
  const version = await ffmpegVersion(config.ffmpegPath);
  const wiped = await wipeStaleJobDirs(config.workDir);
  if (wiped.length > 0) log.info("removed stale job folders", { count: wiped.length });

  const storage = options.storage ?? createS3Storage(config.s3);
  const sources = await SourceWindows.start(log);
  const tasks = { config, storage, log, slots: new TaskSlots(config.taskSlots), sources };
  const server = createServer((req, res) => {
    void handleRequest(req, res, { tasks, ffmpegVersion: version, log });
  });
  // Slow or idle Worker connections must not pin sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return {
    server,
    async close() {
      // Running tasks are aborted (FFmpeg killed, temp folders removed); their heartbeats stop,
      // so the Worker hands them to another transcoder.
      tasks.slots.abortAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, Promise.race([tasks.slots.whenIdle(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])]);
      await sources.close();
    },
  };
}
