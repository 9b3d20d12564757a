// Runs a built transcoder image: `buildah from` + `buildah run --isolation chroot --network host`
// (no cgroups or network namespace needed; `podman run` does not work on these machines). The
// process sees the host's loopback, so it reaches local R2 and a test's callback server on
// 127.0.0.1. A watchdog and exit/signal handlers make sure no run outlives this process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync, readdirSync } from "node:fs";
import { root, run } from "./image-tools.ts";
import { waitFor } from "./ports.ts";

export type RunningImage = {
  url: string;
  container: string;
  /** Pids of the run still alive (buildah and everything chrooted with it): none after stop(). */
  processes(): number[];
  /** ms from `buildah from` until /health answered. */
  startMs: number;
  /** Output of the process (JSON log lines), most recent last. */
  logs: string[];
  stop(): Promise<void>;
};

type Live = { container: string; child: ChildProcess; watchdog?: ChildProcess };
const live = new Set<Live>();

type Proc = { pid: number; ppid: number; session: number; root: string; comm: string };

function processTable(): Proc[] {
  const table: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.push({ pid: Number(entry), ppid: Number(fields[1]), session: Number(fields[3]), root: readlinkSync(`/proc/${entry}/root`), comm });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * What a run consists of: `buildah run` (a session leader, spawned detached) and its helpers,
 * plus every process chrooted into the same root as they are (node, FFmpeg), wherever their
 * session. `inside` are the chrooted ones apart from buildah's own helpers; `top` those whose
 * parent is not one of them (node, the one to ask for a graceful stop).
 */
function runProcesses(entry: Live): { all: number[]; inside: Proc[]; top: Proc[] } {
  const sid = entry.child.pid;
  if (sid === undefined) return { all: [], inside: [], top: [] };
  const table = processTable();
  const session = table.filter((p) => p.session === sid);
  const roots = new Set(session.map((p) => p.root).filter((r) => r !== "/"));
  const chrooted = table.filter((p) => roots.has(p.root));
  const inside = chrooted.filter((p) => !/buildah/.test(p.comm));
  const insidePids = new Set(inside.map((p) => p.pid));
  return {
    all: [...new Set([...session, ...chrooted].map((p) => p.pid))],
    inside,
    top: inside.filter((p) => !insidePids.has(p.ppid)),
  };
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Synchronous last resort (exit handlers): kill everything of the run and remove the container. */
function killNow(entry: Live): void {
  signal(runProcesses(entry).all, "SIGKILL");
  spawnSync("buildah", ["rm", entry.container], { stdio: "ignore" });
  forget(entry);
}

/**
 * For when this process dies without running any handler (SIGKILL; vitest kills its workers
 * that way when it is interrupted): a detached shell holding the read end of a pipe from us.
 * Our end closes however we die; then it ends the run's process group (`buildah run`, node,
 * FFmpeg) and removes the container. A normal stop() kills it first.
 */
function startWatchdog(group: number, container: string): ChildProcess {
  const script = 'cat >/dev/null; kill -TERM -"$1" 2>/dev/null; sleep 5; kill -KILL -"$1" 2>/dev/null; buildah rm "$2" >/dev/null 2>&1';
  const watchdog = spawn("sh", ["-c", script, "transcoder-image-watchdog", String(group), container], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.on("error", () => {});
  watchdog.unref();
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

function forget(entry: Live): void {
  entry.watchdog?.kill("SIGKILL");
  live.delete(entry);
  if (live.size === 0) disarm();
}

// Listening only while a run is live: exit (normal end, process.exit, uncaught errors) and the
// signals that end a process from outside (Ctrl-C, a runner's timeout). After cleaning up, a
// signal takes its ordinary course (other handlers, or the default exit): raised again without us.
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const onExit = () => {
  for (const entry of [...live]) killNow(entry);
};
const onSignal = (sig: NodeJS.Signals) => {
  onExit();
  disarm();
  process.kill(process.pid, sig);
};
function arm(): void {
  if (process.listeners("exit").includes(onExit)) return;
  process.on("exit", onExit);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}
function disarm(): void {
  process.removeListener("exit", onExit);
  for (const sig of SIGNALS) process.removeListener(sig, onSignal);
}

/**
 * Runs `node transcode-container/src/main.ts` from the image, bound to 127.0.0.1:port on the
 * host network, and resolves once /health answers. stop() ends the process (SIGTERM, then
 * SIGKILL), checks nothing is left running inside, and removes the container.
 */
export async function runTranscoderImage(tag: string, env: Record<string, string>, port: number, options: { timeoutMs?: number } = {}): Promise<RunningImage> {
  const started = Date.now();
  const name = `edge-video-transcoder-${randomBytes(4).toString("hex")}`;
  const container = (await run("buildah", ["from", "--pull=never", "--name", name, tag], { capture: true })).trim().split("\n").pop()!;
  const fullEnv: Record<string, string> = { ...env, HOST: "127.0.0.1", PORT: String(port) };
  const envArgs = Object.entries(fullEnv).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
  const child = spawn(
    "buildah",
    ["run", "--isolation", "chroot", "--network", "host", ...envArgs, container, "--", "node", "transcode-container/src/main.ts"],
    // Own process group: stop() signals buildah and what it started together.
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const entry: Live = { container, child, watchdog: child.pid === undefined ? undefined : startWatchdog(child.pid, container) };
  live.add(entry);
  arm();
  const logs: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(line);
    if (logs.length > 2000) logs.splice(0, 1000);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      logs.push(`buildah run failed: ${error.message}`);
      resolve();
    });
  });

  const stop = async () => {
    if (!live.has(entry)) return;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      // SIGTERM to node inside, as a container runtime does: it kills running FFmpeg and
      // removes its temp folders, then exits, and `buildah run` with it. (Signalling buildah
      // itself makes it SIGKILL the process instead.)
      const { top } = runProcesses(entry);
      if (top.length) signal(top.map((p) => p.pid), "SIGTERM");
      else signal([-child.pid!], "SIGTERM");
      const timer = setTimeout(() => signal(runProcesses(entry).all, "SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    // Anything still there (nothing, normally) goes now.
    signal(runProcesses(entry).all, "SIGKILL");
    await run("buildah", ["rm", container]).catch(() => spawnSync("buildah", ["rm", container], { stdio: "ignore" }));
    forget(entry);
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error("exited");
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return response.ok;
      },
      "the transcoder image to answer /health",
      options.timeoutMs ?? 60_000,
      200,
    ).catch((error: Error) => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the transcoder image exited (${child.exitCode ?? child.signalCode}):\n${logs.join("\n")}`);
      throw new Error(`${error.message}\n${logs.join("\n")}`);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, container, logs, stop, processes: () => runProcesses(entry).all, startMs: Date.now() - started };
}
