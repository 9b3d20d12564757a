// Starts the whole local platform on a throwaway state directory (for poking at the web app or
// running the browser benchmark against it). Uses the existing web build (run `react-router build`).
//   node bench/web/serve.ts            PORT=8790 DATABASE_URL=postgresql://… node bench/web/serve.ts
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startStack } from "../../scripts/stack/start-stack.ts";

const stateDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-web-"));
const stack = await startStack({
  stateDir,
  build: false,
  sweepIntervalMs: 2000,
  port: process.env.PORT ? Number(process.env.PORT) : undefined,
  databaseUrl: process.env.DATABASE_URL || undefined,
});
console.log(`ready ${stack.origin} (state in ${stateDir})`);
const stop = async () => {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
