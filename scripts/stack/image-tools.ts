// Shell and buildah helpers shared by the transcoder image build and run: a command runner that
// keeps the output's tail for errors, content hashes for cache tags, and image queries.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));

export function imageToolsMissing(): string[] {
  return ["buildah", "podman", "mmdebstrap"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0);
}

export function digest(parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);
}

export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

export async function imageExists(tag: string): Promise<boolean> {
  return spawnSync("buildah", ["inspect", "--type", "image", "--format", "{{.FromImageID}}", tag], { stdio: "ignore" }).status === 0;
}

export async function imageId(tag: string): Promise<string> {
  return (await run("buildah", ["inspect", "--type", "image", "--format", "{{.FromImageID}}", tag], { capture: true })).trim();
}

/** Drops older builds of the same repository (layers other tags share stay). Best effort. */
export async function pruneOtherTags(repo: string, keep: string): Promise<void> {
  const out = spawnSync("buildah", ["images", "--format", "{{.Name}}:{{.Tag}}"], { encoding: "utf8" });
  for (const name of (out.stdout ?? "").split("\n").map((l) => l.trim())) {
    if (name && name !== keep && name.startsWith(`${repo}:`)) spawnSync("buildah", ["rmi", name], { stdio: "ignore" });
  }
}

export function run(command: string, args: string[], opts: { cwd?: string; log?: (line: string) => void; capture?: boolean } = {}): Promise<string> {
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
