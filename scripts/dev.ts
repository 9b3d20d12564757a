// `npm run dev`: the whole platform on http://127.0.0.1:${PORT:-8787}. Ctrl-C stops everything.
import path from "node:path";
import { ensureDevVars } from "./stack/dev-vars.ts";
import { root, startStack } from "./stack/start-stack.ts";
import { ensureFfmpeg } from "./stack/system-tools.ts";

ensureFfmpeg();
await ensureDevVars(root);
const port = Number(process.env.PORT ?? 8787);
console.log(process.env.DATABASE_URL ? "Database: DATABASE_URL" : "Database: embedded PGlite in .data/pglite");
const stack = await startStack({
  port,
  stateDir: path.join(root, ".data"),
  databaseUrl: process.env.DATABASE_URL || undefined,
  varsFile: path.join(root, ".dev.vars"),
  echo: true,
});
console.log(`
Edge Video is running:
  app + API   ${stack.origin}
  health      ${stack.origin}/api/health
  local S3    ${stack.s3.endpoint}/${stack.s3.bucket}
  transcoders ${stack.fleet.urls.join(", ")} (TRANSCODERS=n to change)
  database    ${stack.databaseKind}${stack.dbRelay ? ` + ${stack.dbRelay.latencyMs} ms per round trip (DB_LATENCY_MS)` : ""}
Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
