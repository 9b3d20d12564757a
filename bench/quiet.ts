// Runs a benchmark on a quiet machine when other work shares it: every process niced to 19, or
// whose working directory is under one of the --cwd prefixes, is stopped (SIGSTOP) before the
// command starts and every 3 s while it runs (new ones appear), and continued at the end.
//   node bench/quiet.ts [--cwd ../other-checkouts] -- node bench/pipeline/run.ts --seconds 180
// One process scanning /proc costs ~0.5 % of a core; a shell loop forking per process cost
// ~20 % and moved a pipeline ratio from 1.70× to 1.59× (docs/benchmarks.md).
import { spawn } from "node:child_process";
import { readFile, readdir, readlink } from "node:fs/promises";

const split = process.argv.indexOf("--");
if (split < 0 || split === process.argv.length - 1) {
  console.error("usage: node bench/quiet.ts [--cwd PREFIX]... -- COMMAND [ARGS...]");
  process.exit(2);
}
const options = process.argv.slice(2, split);
const prefixes = options.flatMap((o, i) => (options[i - 1] === "--cwd" ? [o] : []));
const [command, ...args] = process.argv.slice(split + 1);
const stopped = new Set<number>();

/** This process and its descendants (the benchmark) are never stopped. */
async function ownTree(pids: number[]): Promise<Set<number>> {
  const parent = new Map<number, number>();
  await Promise.all(pids.map(async (pid) => {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat) parent.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }));
  const own = new Set<number>([process.pid]);
  for (const pid of pids) for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) own.add(pid);
  return own;
}

async function scan(): Promise<void> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const own = await ownTree(pids);
  for (const pid of pids) {
    if (own.has(pid) || stopped.has(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => "");
    if (nice >= 19 || prefixes.some((p) => cwd.startsWith(p))) {
      try {
        process.kill(pid, "SIGSTOP");
        stopped.add(pid);
      } catch {
        // gone already
      }
    }
  }
}

function resumeAll(): void {
  for (const pid of stopped) {
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // gone
    }
  }
}

await scan();
console.error(`quiet: stopped ${stopped.size} processes`);
const timer = setInterval(() => void scan(), 3000);
const child = spawn(command!, args, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  clearInterval(timer);
  resumeAll();
  process.exit(code ?? (signal ? 1 : 0));
});
