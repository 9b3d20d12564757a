// ffmpeg is the one system tool the platform needs locally. Name the install command; install it
// ourselves only when running as root without a terminal (CI, fresh containers).
import { spawnSync } from "node:child_process";

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export function ensureFfmpeg(): void {
  if (hasCommand("ffmpeg") && hasCommand("ffprobe")) return;
  const canInstall = process.getuid?.() === 0 && !process.stdin.isTTY && hasCommand("apt-get");
  if (canInstall) {
    console.log("ffmpeg is missing: installing it with apt-get (running as root, non-interactive)…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const result = spawnSync("apt-get", ["install", "-y", "-qq", "ffmpeg"], { stdio: "inherit", env });
    if (result.status === 0) return;
  }
  throw new Error("ffmpeg and ffprobe are required. Install them with: sudo apt-get install -y ffmpeg  (macOS: brew install ffmpeg)");
}
