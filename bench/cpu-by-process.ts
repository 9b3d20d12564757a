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
export type CpuSnapshot = {
  at: number;
  busy: number;
  byPid: Map<number, { group: Exclude<CpuGroup, "rest of the machine">; ticks: number }>;
  /** workerd's threads ("pid/tid" → ticks): one isolate runs JavaScript on one thread. */
  workerdThreads: Map<string, number>;
};

async function threadTicks(pid: number): Promise<[string, number][]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: [string, number][] = [];
  for (const tid of tids) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.push([`${pid}/${tid}`, Number(fields[11]) + Number(fields[12])]);
  }
  return out;
}

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
  const workerdThreads = new Map<string, number>();
  for (const [pid, { group }] of byPid) if (group === "workerd") for (const [k, t] of await threadTicks(pid)) workerdThreads.set(k, t);
  return { at: performance.now(), busy: await machineBusySeconds(), byPid, workerdThreads };
}

/** CPU of workerd's busiest thread between two snapshots, in % of one core (100 = saturated). */
export function busiestWorkerdThread(before: CpuSnapshot, after: CpuSnapshot): number {
  const seconds = (after.at - before.at) / 1000;
  let max = 0;
  for (const [k, t] of after.workerdThreads) max = Math.max(max, (t - (before.workerdThreads.get(k) ?? 0)) / ticksPerSecond);
  return (max / seconds) * 100;
}

/** Per group: CPU-seconds used between two snapshots. */
export function cpuSecondsByGroup(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, number> {
  const used: Record<CpuGroup, number> = { "bench process": 0, workerd: 0, "postgres + pgbouncer": 0, "other started by the bench": 0, "rest of the machine": 0 };
  let ours = 0;
  for (const [pid, now] of after.byPid) {
    const seconds = (now.ticks - (before.byPid.get(pid)?.ticks ?? 0)) / ticksPerSecond;
    used[now.group] += seconds;
    ours += seconds;
  }
  used["rest of the machine"] = Math.max(0, after.busy - before.busy - ours);
  return used;
}

/** Per group: share of the whole machine (100 % = all cores busy) between two snapshots. */
export function cpuShares(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, number> {
  const seconds = (after.at - before.at) / 1000;
  const shares = cpuSecondsByGroup(before, after);
  for (const k of Object.keys(shares) as CpuGroup[]) shares[k] = (shares[k] / (seconds * cores)) * 100;
  return shares;
}

/**
 * CPU milliseconds the platform (workerd and the bench database's Postgres + pgbouncer) spent per
 * request: what a route costs, whatever else the machine was doing. Ratios of these say what
 * throughput ratio the routes would have on a machine of their own.
 */
export function platformMsPerRequest(shares: Record<CpuGroup, number>, seconds: number, requests: number): number {
  return ((shares.workerd + shares["postgres + pgbouncer"]) / 100) * cores * seconds * 1000 / Math.max(1, requests);
}

/**
 * workerd's CPU alone per request (the Worker, and wrangler's proxy in front of it): what a route
 * costs the Worker when the database runs elsewhere, as Neon and Hyperdrive do in production.
 */
export function workerMsPerRequest(shares: Record<CpuGroup, number>, seconds: number, requests: number): number {
  return (shares.workerd / 100) * cores * seconds * 1000 / Math.max(1, requests);
}

/** "bench 38 %, workerd 52 %, …" of the machine's cores. */
export function formatShares(shares: Record<CpuGroup, number>): string {
  const short: Record<CpuGroup, string> = { "bench process": "bench", workerd: "workerd", "postgres + pgbouncer": "pg", "other started by the bench": "other", "rest of the machine": "rest" };
  return (Object.keys(shares) as CpuGroup[]).map((k) => `${short[k]} ${shares[k].toFixed(0)}`).join(" · ");
}
