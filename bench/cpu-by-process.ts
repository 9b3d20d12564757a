// Where a benchmark's CPU went, from /proc: the bench process itself (the load generator, plus
// the WebSocket bridge and latency relay that run in it), the Worker (workerd under it), the
// database (Postgres backends of the bench's database, pgbouncer), the rest of what the bench
// started (transcoders) and everything else on the machine (other people's work). On a 2-core
// machine that also runs the load generator this says how much of the machine the platform got.
import { readFile, readdir } from "node:fs/promises";
import { cores, machineBusySeconds } from "./pipeline/cpu.ts";

const ticksPerSecond = 100; // USER_HZ on Linux

type Proc = { pid: number; ppid: number; comm: string; cmdline: string; ticks: number };

async function readProc(pid: number): Promise<Proc | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return null;
  const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  // Fields after the command name (which may contain spaces) start at field 3: ppid is field 4,
  // utime and stime fields 14 and 15 (own CPU only: children are counted as processes of their own).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " ");
  return { pid, ppid: Number(fields[1]), comm, cmdline, ticks: Number(fields[11]) + Number(fields[12]) };
}

export type CpuGroup = "bench process" | "workerd" | "postgres + pgbouncer" | "other started by the bench" | "rest of the machine";
export type CpuSnapshot = { at: number; busy: number; byPid: Map<number, { group: Exclude<CpuGroup, "rest of the machine">; ticks: number }> };

/** Snapshot of the CPU ticks of this process, its descendants and the bench database's backends. */
export async function cpuSnapshot(databaseName: string): Promise<CpuSnapshot> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const procs = (await Promise.all(pids.map(readProc))).filter((p): p is Proc => p !== null);
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const descends = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const byPid: CpuSnapshot["byPid"] = new Map();
  for (const p of procs) {
    let group: Exclude<CpuGroup, "rest of the machine"> | null = null;
    if (p.pid === process.pid) group = "bench process";
    else if (p.comm === "postgres" && p.cmdline.includes(` ${databaseName} `)) group = "postgres + pgbouncer";
    else if (descends(p.pid)) group = p.comm === "workerd" ? "workerd" : p.comm === "pgbouncer" ? "postgres + pgbouncer" : "other started by the bench";
    if (group) byPid.set(p.pid, { group, ticks: p.ticks });
  }
  return { at: performance.now(), busy: await machineBusySeconds(), byPid };
}

/** Per group: share of the whole machine (100 % = all cores busy) between two snapshots. */
export function cpuShares(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, number> {
  const seconds = (after.at - before.at) / 1000;
  const shares: Record<CpuGroup, number> = { "bench process": 0, workerd: 0, "postgres + pgbouncer": 0, "other started by the bench": 0, "rest of the machine": 0 };
  let ours = 0;
  for (const [pid, now] of after.byPid) {
    const used = (now.ticks - (before.byPid.get(pid)?.ticks ?? 0)) / ticksPerSecond;
    shares[now.group] += used;
    ours += used;
  }
  shares["rest of the machine"] = Math.max(0, after.busy - before.busy - ours);
  for (const k of Object.keys(shares) as CpuGroup[]) shares[k] = (shares[k] / (seconds * cores)) * 100;
  return shares;
}

/** "bench 38 %, workerd 52 %, …" of the machine's cores. */
export function formatShares(shares: Record<CpuGroup, number>): string {
  const short: Record<CpuGroup, string> = { "bench process": "bench", workerd: "workerd", "postgres + pgbouncer": "pg", "other started by the bench": "other", "rest of the machine": "rest" };
  return (Object.keys(shares) as CpuGroup[]).map((k) => `${short[k]} ${shares[k].toFixed(0)}`).join(" · ");
}
