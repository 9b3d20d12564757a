// The local twin of the production Container pool: N transcoder processes (TRANSCODERS, default
// 2), each with one task slot and, with TRANSCODER_PIN=1, pinned to one core with taskset so it
// behaves like a 1-vCPU instance. The Worker reaches them through TRANSCODER_URL (a list).
import { availableParallelism } from "node:os";
import path from "node:path";
import { freePorts, waitFor } from "./ports.ts";
import { spawnManaged, type Managed } from "./processes.ts";

export type FleetOptions = {
  root: string;
  stateDir: string;
  count?: number;
  pin?: boolean;
  echo?: boolean;
  /** Environment every transcoder gets (storage, secrets). */
  env: Record<string, string>;
};

export type Fleet = {
  urls: string[];
  start: (index?: number) => Promise<void>;
  /** Stops one transcoder (or all); SIGKILL takes FFmpeg down with it mid-task. */
  stop: (index?: number, signal?: "SIGKILL" | "SIGTERM") => Promise<void>;
  /** Process ids of the running transcoders (their FFmpeg children count in their CPU time). */
  pids: () => number[];
};

export function fleetSizeFromEnv(): number {
  const n = Number(process.env.TRANSCODERS ?? 2);
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 2;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const count = opts.count ?? fleetSizeFromEnv();
  const pin = opts.pin ?? process.env.TRANSCODER_PIN === "1";
  const ports = await freePorts(count);
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const running: (Managed | undefined)[] = [];
  const cores = availableParallelism();

  const startOne = async (i: number) => {
    if (running[i]) return;
    const node = [process.execPath, path.join(opts.root, "transcode-container/src/main.ts")];
    const [command, args] = pin ? ["taskset", ["-c", String(i % cores), ...node]] : [node[0]!, node.slice(1)];
    running[i] = spawnManaged(`transcoder-${i}`, command, args, {
      cwd: opts.root,
      echo: opts.echo,
      logFile: path.join(opts.stateDir, "logs", count === 1 ? "transcoder.log" : `transcoder-${i}.log`),
      env: {
        ...opts.env,
        HOST: "127.0.0.1",
        PORT: String(ports[i]),
        TASK_SLOTS: "1",
        WORK_DIR: path.join(opts.stateDir, `transcoder-work-${i}`),
      },
    });
    await waitFor(async () => (await fetch(`${urls[i]}/health`)).ok, `transcoder ${i}`, 30_000);
  };
  const stopOne = async (i: number, signal: "SIGKILL" | "SIGTERM") => {
    const managed = running[i];
    if (!managed) return;
    running[i] = undefined;
    if (signal === "SIGKILL" && managed.child.pid) process.kill(-managed.child.pid, "SIGKILL");
    await managed.stop();
  };
  const pids = () => running.flatMap((m) => (m?.child.pid ? [m.child.pid] : []));
  const indices = (index?: number) => (index === undefined ? urls.map((_, i) => i) : [index]);
  const fleet: Fleet = {
    urls,
    pids,
    start: async (index) => {
      await Promise.all(indices(index).map(startOne));
    },
    stop: async (index, signal = "SIGTERM") => {
      await Promise.all(indices(index).map((i) => stopOne(i, signal)));
    },
  };
  await fleet.start();
  return fleet;
}
