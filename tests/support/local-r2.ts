// Starts wrangler dev with a Worker that only holds an R2 binding, so tests get a real local
// S3 API (SigV4 checked, same bucket the Worker binding sees) without any cloud account.
// The config is copied into a temp folder so wrangler's own files (.wrangler/) land there too.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { freePorts } from "../../scripts/stack/ports.ts";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type LocalR2 = {
  /** S3 endpoint (path-style; bucket is the first path segment). */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  stop(): Promise<void>;
};

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const CONFIG = path.join(here, "r2-only.wrangler.toml");
const WORKER = path.join(here, "r2-only-worker.ts");

function readSetting(toml: string, name: string): string {
  const match = new RegExp(`${name}\\s*=\\s*"([^"]+)"`).exec(toml);
  if (!match) throw new Error(`${name} missing from ${CONFIG}`);
  return match[1];
}

/** Another process can take a probed port before wrangler binds it: try again on fresh ports. */
export async function startLocalR2(options: { timeoutMs?: number } = {}): Promise<LocalR2> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startLocalR2Once(options);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

async function startLocalR2Once(options: { timeoutMs?: number }): Promise<LocalR2> {
  const toml = await readFile(CONFIG, "utf8");
  const bucket = readSetting(toml, "bucket_name");
  const accessKeyId = readSetting(toml, "accessKeyId");
  const secretAccessKey = readSetting(toml, "secretAccessKey");

  const dir = await mkdtemp(path.join(os.tmpdir(), "local-r2-"));
  await copyFile(WORKER, path.join(dir, "r2-only-worker.ts"));
  await writeFile(path.join(dir, "wrangler.toml"), toml);
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const wrangler = path.join(repoRoot, "node_modules", ".bin", "wrangler");
  const child = spawn(
    wrangler,
    [
      "dev",
      "--config", path.join(dir, "wrangler.toml"),
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--persist-to", path.join(dir, "state"),
      "--show-interactive-dev-session=false",
      "--log-level", "warn",
    ],
    {
      cwd: dir,
      // Own process group, so stop() also ends workerd.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // Node 24 from the project first on PATH: wrangler refuses older Node.
        PATH: `${path.join(repoRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
        WRANGLER_SEND_METRICS: "false",
        CI: "1",
      },
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output = (output + String(d)).slice(-8000)));
  child.stderr?.on("data", (d) => (output = (output + String(d)).slice(-8000)));

  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killGroup(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(`${base}/`, child, options.timeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`wrangler dev did not start: ${String(error)}\n${output}`);
  }
  return {
    endpoint: `${base}/cdn-cgi/local/r2/s3`,
    bucket,
    accessKeyId,
    secretAccessKey,
    region: "auto",
    stop,
  };
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("timed out");
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
