// Where a benchmark's local platform keeps its state (wrangler's R2, Cache API and Durable
// Object stores). In memory when the machine has /dev/shm: the local Cache API is a SQLite
// database and a blob file per copy, and this VM's disk stalls reads for up to 1.5 s at a time
// (measured: every in-flight cache hit stalled together), which production's Cache API —
// served from the data center's memory and SSDs — does not do. See docs/benchmarks.md.
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export function benchStateDir(prefix: string): Promise<string> {
  const root = existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  return mkdtemp(path.join(root, prefix));
}
