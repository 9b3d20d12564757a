// Per-job temp folders under WORK_DIR. Only folders named job-* are ever touched, so a WORK_DIR
// pointed at a shared place cannot lose anything else.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";

const JOB_DIR_PREFIX = "job-";

export async function createJobDir(workDir: string, videoId: string): Promise<string> {
  const dir = path.join(workDir, `${JOB_DIR_PREFIX}${videoId}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeJobDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** On start: folders left by a crashed or killed run would otherwise fill the disk over time. */
export async function wipeStaleJobDirs(workDir: string): Promise<string[]> {
  await mkdir(workDir, { recursive: true });
  const entries = await readdir(workDir, { withFileTypes: true });
  const stale = entries.filter((e) => e.isDirectory() && e.name.startsWith(JOB_DIR_PREFIX)).map((e) => e.name);
  await Promise.all(stale.map((name) => removeJobDir(path.join(workDir, name))));
  return stale;
}

export async function listJobDirs(workDir: string): Promise<string[]> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && e.name.startsWith(JOB_DIR_PREFIX)).map((e) => e.name);
}
