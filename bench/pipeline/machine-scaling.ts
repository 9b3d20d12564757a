// How well this machine runs two one-core encodes at once: the ceiling for "2 one-core workers
// vs one". The same x264 encode, pinned, alone on each core and then one per core at the same
// time. On a VM whose vCPUs share the host's caches and memory bandwidth, two at once are
// slower each, whatever the platform does.
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function encode(clip: string, core: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", String(core), "ffmpeg", "-hide_banner", "-loglevel", "error", "-threads", "1", "-i", clip, "-c:v", "libx264", "-threads", "1", "-preset", "veryfast", "-f", "null", "-"], { stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`x264 encode exited ${code}`))));
  });
}

/** Speed of two encodes at once (one per core) relative to one alone: 2.0 is perfect. */
export async function twoCoreScaling(dir: string): Promise<{ alone: number; together: number; scaling: number }> {
  const clip = path.join(dir, "scaling.mp4");
  await run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-b:v", "8M", clip]);
  const alone: number[] = [];
  const together: number[] = [];
  for (let round = 0; round < 2; round += 1) {
    alone.push(await encode(clip, 0), await encode(clip, 1));
    const both = await Promise.all([encode(clip, 0), encode(clip, 1)]);
    together.push(Math.max(...both));
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { alone: mean(alone), together: mean(together), scaling: (2 * mean(alone)) / mean(together) };
}
