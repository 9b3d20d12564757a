// CPU seconds of processes and the children they waited for (FFmpeg under a transcoder), from
// /proc: utime + stime + cutime + cstime.
import { readFile } from "node:fs/promises";
import os from "node:os";

const ticksPerSecond = 100; // USER_HZ on Linux

export async function cpuSeconds(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / ticksPerSecond;
}

export const cores = os.availableParallelism();

/** Busy CPU-seconds of the whole machine (all cores, every process), from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0]!;
  // cpu user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / ticksPerSecond;
}
