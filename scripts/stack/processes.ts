// Child processes of the local stack, each in its own process group so that stopping one also
// stops what it started (wrangler → workerd).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

export type Managed = { name: string; child: ChildProcess; stop: () => Promise<void>; exited: Promise<number | null> };

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});
// Killed from outside (a timeout, a test runner): take the children along, unless the program
// has its own graceful handler (npm run dev does).
for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return;
    for (const child of live) killGroup(child, "SIGKILL");
    process.exit(128 + (signal === "SIGTERM" ? 15 : 1));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

export function spawnManaged(
  name: string,
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; logFile?: string; echo?: boolean },
): Managed {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  live.add(child);
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : null;
  const forward = (chunk: Buffer) => {
    log?.write(chunk);
    if (opts.echo) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      live.delete(child);
      log?.end();
      resolve(code);
    }),
  );
  return {
    name,
    child,
    exited,
    stop: async () => {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function runToEnd(command: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}
