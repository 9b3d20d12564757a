// Runs the transcoder exactly as production does (`node transcode-container/src/main.ts`), as
// a child process in its own process group so a test can kill it together with its FFmpeg.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signedTranscoderInit } from "../../../transcode-container/src/request-auth.ts";
import type { R2Info } from "./s3.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const nodeBin = path.join(repoRoot, "node_modules", ".bin", "node");

export const CALLBACK_SECRET = "test-callback-secret-0123456789abcdef";

export class TranscoderProcess {
  readonly child: ChildProcess;
  readonly workDir: string;
  readonly baseUrl: string;
  readonly logs: string[];
  /** The work folder was made here (not passed in), so stop() removes it. */
  readonly ownsWorkDir: boolean;

  private constructor(child: ChildProcess, workDir: string, baseUrl: string, logs: string[], ownsWorkDir: boolean) {
    this.child = child;
    this.workDir = workDir;
    this.baseUrl = baseUrl;
    this.logs = logs;
    this.ownsWorkDir = ownsWorkDir;
  }

  static async start(
    r2: R2Info,
    options: { workDir?: string; env?: Record<string, string> } = {},
  ): Promise<TranscoderProcess> {
    const workDir = options.workDir ?? (await mkdtemp(path.join(os.tmpdir(), "transcoder-work-")));
    const logs: string[] = [];
    const child = spawn(nodeBin, [path.join(repoRoot, "transcode-container", "src", "main.ts")], {
      cwd: repoRoot,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: "0",
        S3_ENDPOINT: r2.endpoint,
        S3_BUCKET: r2.bucket,
        S3_ACCESS_KEY_ID: r2.accessKeyId,
        S3_SECRET_ACCESS_KEY: r2.secretAccessKey,
        S3_REGION: r2.region,
        CALLBACK_SECRET,
        WORK_DIR: workDir,
        NODE_NO_WARNINGS: "1",
        ...options.env,
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let buffer = "";
      const timer = setTimeout(() => reject(new Error(`transcoder did not start:\n${logs.join("\n")}`)), 20_000);
      const onLine = (line: string) => {
        logs.push(line);
        if (logs.length > 2000) logs.splice(0, 1000);
        try {
          const entry = JSON.parse(line) as { message?: string; port?: number };
          if (entry.message === "listening" && entry.port) {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          // not a log line
        }
      };
      child.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8");
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf("\n");
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString("utf8").trim()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`transcoder exited (${code}):\n${logs.join("\n")}`));
      });
    });
    return new TranscoderProcess(child, workDir, `http://127.0.0.1:${port}`, logs, !options.workDir);
  }

  /** A request signed as the Worker signs it (CALLBACK_SECRET over method, path and body). */
  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const method = init.method ?? "GET";
    const body = typeof init.body === "string" ? init.body : "";
    const signed = await signedTranscoderInit(CALLBACK_SECRET, method, pathname, body);
    return fetch(`${this.baseUrl}${pathname}`, { ...signed, ...init, headers: { ...(signed.headers as Record<string, string>), ...(init.headers as Record<string, string> | undefined) } });
  }

  /** A request as given, without a signature (the transcoder should answer 401). */
  unsignedFetch(pathname: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.baseUrl}${pathname}`, init);
  }

  /** Crash: SIGKILL the whole process group (server and its FFmpeg), like a lost container. */
  async kill(): Promise<void> {
    await this.#signalGroup("SIGKILL");
  }

  /** Graceful stop, as the container runtime does. */
  async stop(): Promise<void> {
    await this.#signalGroup("SIGTERM");
    if (this.ownsWorkDir) await rm(this.workDir, { recursive: true, force: true });
  }

  async #signalGroup(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
}
