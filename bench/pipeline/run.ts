// Pipeline benchmark (issue #11): one 1080p30 source, side by side in one run —
//   single: today's one-process ladder (buildLadderArgs), FFmpeg pinned to one core;
//   chunked-1 / chunked-2: the whole local platform (upload-complete → plan → chunk tasks →
//   playable → ready) with a fleet of 1 and 2 transcoders, each pinned to one core;
// with wall time, realtime factor and CPU-seconds, plus per-chunk times for the model in
// docs/benchmarks.md.   node bench/pipeline/run.ts [--seconds 60] [--gop 2]
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildLadderArgs, outputLayout } from "../../transcode-container/src/ffmpeg-args.ts";
import { planImages } from "../../transcode-container/src/images.ts";
import { buildLadder, rationalValue } from "../../transcode-container/src/ladder-profile.ts";
import { probeSource } from "../../transcode-container/src/probe.ts";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator, uploadFile, waitForVideo } from "../../tests/support/api-calls.ts";
import { makeClip } from "../../tests/support/clips.ts";
import { localS3 } from "../../tests/support/s3-client.ts";
import { cpuSecondsByGroup, cpuSnapshot } from "../cpu-by-process.ts";
import { cpuSeconds, machineBusySeconds } from "./cpu.ts";
import { twoCoreScaling } from "./machine-scaling.ts";
import { modelReady } from "./model.ts";

function formatSeconds(s: number): string {
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`;
}

const i = process.argv.indexOf("--seconds");
const seconds = i > 0 ? Number(process.argv[i + 1]) : 60;
const g = process.argv.indexOf("--gop");
const gopSeconds = g > 0 ? Number(process.argv[g + 1]) : 2;
const r = process.argv.indexOf("--runs");
// Which runs to make: "single,1,2" by default (the acceptance's side-by-side); e.g. "2" alone to look at one fleet.
const runs = new Set((r > 0 ? process.argv[r + 1]! : "single,1,2").split(","));
const dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-bench-pipeline-"));
const BENCH_DATABASE = "edge_video_bench_pipeline";
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

type Video = { status: string; playable: boolean; durationSeconds: number | null };
type Row = { name: string; playable?: number; ready: number; cpu: number };
type ChunkLog = { time: string; message: string; chunk?: number; kind?: string; mediaSeconds?: number; encodeSeconds?: number; uploadSeconds?: number; seconds?: number };

async function chunked(workers: number, source: Uint8Array): Promise<{ row: Row; chunks: ChunkLog[]; planSeconds: number }> {
  const stateDir = path.join(dir, `chunked-${workers}`);
  const stack = await startStack({ stateDir, databaseUrl: await recreateDatabase(server, BENCH_DATABASE), build: false, sweepIntervalMs: 0, transcoders: workers, pinTranscoders: true });
  try {
    const creator = await signUpCreator(stack.origin, "Bench creator");
    const { videoId, etags } = await uploadFile(creator, source, { title: `Pipeline bench ×${workers}` });
    const cpuBefore = await cpuSeconds(stack.fleet.pids());
    const machineBefore = await machineBusySeconds();
    const groupsBefore = await cpuSnapshot(BENCH_DATABASE);
    const completedAt = performance.now();
    const completedAtEpoch = Date.now();
    const done = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
    if (done.status !== 202) throw new Error(`complete failed: ${done.status}`);
    await waitForVideo<Video>(creator, videoId, (v) => v.playable, 60 * 60_000);
    const playable = (performance.now() - completedAt) / 1000;
    // Polled less often once playable: each poll is Worker and database work on the encoders' cores.
    await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 60 * 60_000, 250);
    const ready = (performance.now() - completedAt) / 1000;
    const cpu = (await cpuSeconds(stack.fleet.pids())) - cpuBefore;
    // What the rest of the machine (workerd, Postgres, the bench itself, anything else) used
    // meanwhile: on this 2-core machine it comes out of the pinned encoders' cores.
    const rest = (await machineBusySeconds()) - machineBefore - cpu;
    console.log(`  ×${workers}: transcoders ${cpu.toFixed(1)} CPU-s, the rest of the machine ${rest.toFixed(1)} CPU-s over ${ready.toFixed(1)} s (${((rest / ready) * 100).toFixed(0)} % of one core)`);
    const groups = cpuSecondsByGroup(groupsBefore, await cpuSnapshot(BENCH_DATABASE));
    // Finished FFmpeg processes leave /proc, so "the rest" is split by subtracting the long-lived ones.
    const known = groups.workerd + groups["postgres + pgbouncer"] + groups["bench process"];
    console.log(`  ×${workers}: of which workerd ${groups.workerd.toFixed(1)}, Postgres ${groups["postgres + pgbouncer"].toFixed(1)}, the bench process (polling, bridges) ${groups["bench process"].toFixed(1)}, anything else (kernel, wrangler, other work) ${Math.max(0, rest - known).toFixed(1)} CPU-s`);
    const logs = await Promise.all(stack.fleet.urls.map((_, n) => readFile(path.join(stateDir, "logs", workers === 1 ? "transcoder.log" : `transcoder-${n}.log`), "utf8")));
    const entries = logs.flatMap((l) => l.split("\n").filter((x) => x.startsWith("{")).map((x) => JSON.parse(x) as ChunkLog));
    const planned = entries.find((e) => e.message === "planned");
    const planSeconds = planned ? (Date.parse(planned.time) - completedAtEpoch) / 1000 : 0.5;
    const chunks = entries.filter((e) => e.message === "chunk done" || e.message === "audio done" || (e.message === "task done" && e.kind === "stills"));
    printUtilisation(workers, logs, completedAtEpoch, completedAtEpoch + ready * 1000);
    return { row: { name: `chunked, ${workers} worker${workers > 1 ? "s" : ""} × 1 core`, playable, ready, cpu }, chunks, planSeconds };
  } finally {
    await stack.stop();
  }
}

/**
 * How busy each transcoder was between upload-complete and ready, from its "task done" lines
 * (start = end - seconds): idle gaps are the fleet waiting on dispatch, not on FFmpeg.
 */
function printUtilisation(workers: number, logs: string[], from: number, to: number): void {
  logs.forEach((log, n) => {
    const tasks = log
      .split("\n")
      .filter((x) => x.startsWith("{"))
      .map((x) => JSON.parse(x) as ChunkLog)
      .filter((e) => e.message === "task done" && e.seconds !== undefined)
      .map((e) => ({ end: Date.parse(e.time), start: Date.parse(e.time) - e.seconds! * 1000, label: `${e.kind}#${(e as { index?: number }).index ?? 0}` }))
      .sort((a, b) => a.start - b.start);
    let cursor = from;
    const gaps: string[] = [];
    let idle = 0;
    for (const t of tasks) {
      const gap = (t.start - cursor) / 1000;
      if (gap > 0) idle += gap;
      if (gap > 0.5) gaps.push(`${gap.toFixed(1)} s before ${t.label} at +${((t.start - from) / 1000).toFixed(1)} s`);
      cursor = Math.max(cursor, t.end);
    }
    const tail = Math.max(0, (to - cursor) / 1000);
    const parts = log
      .split("\n")
      .filter((x) => x.startsWith("{"))
      .map((x) => JSON.parse(x) as ChunkLog)
      .filter((e) => e.message === "chunk done" || e.message === "audio done");
    const sum = (pick: (e: ChunkLog) => number | undefined) => parts.reduce((acc, e) => acc + (pick(e) ?? 0), 0);
    const reads = log
      .split("\n")
      .filter((x) => x.startsWith("{"))
      .map((x) => JSON.parse(x) as { message: string; requests?: number; mebibytes?: number })
      .filter((e) => e.message === "source reads");
    const asked = reads.reduce((acc, e) => ({ requests: acc.requests + (e.requests ?? 0), mebibytes: acc.mebibytes + (e.mebibytes ?? 0) }), { requests: 0, mebibytes: 0 });
    console.log(`  ×${workers} transcoder ${n}: encoding ${sum((e) => e.encodeSeconds).toFixed(1)} s, uploading ${sum((e) => e.uploadSeconds).toFixed(1)} s over ${parts.length} chunk tasks; source reads ${asked.requests} requests, ${asked.mebibytes.toFixed(0)} MiB asked of storage`);
    for (const t of tasks.filter((t) => t.label === "chunk#0" || t.label === "audio#0")) {
      const detail = parts.find((e) => (t.label === "chunk#0" ? e.message === "chunk done" : e.message === "audio done") && (e.chunk ?? (e as { audio?: number }).audio ?? 0) === 0);
      const split = detail ? ` (encode ${detail.encodeSeconds?.toFixed(2)} s, upload ${detail.uploadSeconds?.toFixed(2)} s)` : "";
      console.log(`  ×${workers} transcoder ${n}: ${t.label} ran from +${((t.start - from) / 1000).toFixed(2)} s to +${((t.end - from) / 1000).toFixed(2)} s${split}`);
    }
    console.log(`  ×${workers} transcoder ${n}: ${tasks.length} tasks, idle ${idle.toFixed(1)} s of ${((to - from) / 1000).toFixed(1)} s (+${tail.toFixed(1)} s after its last task)${gaps.length ? `; gaps: ${gaps.join(", ")}` : ""}`);
  });
}

/** Today's single-process ladder, FFmpeg pinned to one core; CPU from bash's `times`. */
async function single(url: string): Promise<Row> {
  const probe = await probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 21_600, signal: new AbortController().signal });
  const ladder = buildLadder({ width: probe.width, height: probe.height, frameRate: probe.frameRate, hasAudio: probe.hasAudio, interlaced: probe.interlaced });
  const images = planImages(probe.durationSeconds, probe.width, probe.height, rationalValue(ladder.sourceFrameRate));
  const layout = outputLayout(path.join(dir, "single"));
  for (const rung of ladder.rungs) await mkdir(path.join(layout.hlsDir, rung.name), { recursive: true });
  await mkdir(layout.thumbnailsDir, { recursive: true });
  await mkdir(layout.tilesDir, { recursive: true });
  const args = buildLadderArgs({ sourceUrl: url, ladder, images, layout }).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", ["-c", `taskset -c 0 ffmpeg ${args} >/dev/null || exit 1; times`], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`single-process ffmpeg exited ${code}`))));
  });
  const ready = (performance.now() - started) / 1000;
  // `times` prints the shell's then its children's user/sys times as "XmY.YYYs".
  const childLine = output.trim().split("\n").at(-1)!;
  const cpu = childLine.split(/\s+/).reduce((sum, t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return sum + (m ? Number(m[1]) * 60 + Number(m[2]) : 0);
  }, 0);
  return { name: "single process × 1 core (today's ladder)", ready, cpu };
}

/** Least-squares `overhead + perSecond × media seconds` over tasks' encode + upload times. */
function fitLine(runs: ChunkLog[]): { overhead: number; perSecond: number; count: number } {
  const xs = runs.map((c) => c.mediaSeconds!);
  const ys = runs.map((c) => c.encodeSeconds! + c.uploadSeconds!);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  const spread = xs.reduce((acc, x) => acc + (x - mean(xs)) ** 2, 0);
  const perSecond = spread > 1e-9 ? xs.reduce((acc, x, k) => acc + (x - mean(xs)) * (ys[k]! - mean(ys)), 0) / spread : mean(ys) / Math.max(1e-9, mean(xs));
  return { overhead: Math.max(0, mean(ys) - perSecond * mean(xs)), perSecond, count: runs.length };
}

try {
  console.log(`generating a ${seconds} s 1080p30 8 Mb/s source with audio…`);
  // A keyframe every 2 s, like phone cameras (~1 s) and streaming/OBS settings (2 s); every
  // chunk decodes from the source keyframe before its start, so x264's default GOP (8.3 s)
  // would add up to 8 s of 1080p decoding to each chunk (`--gop 8.3` measures that case).
  const source = new Uint8Array(await readFile(await makeClip(path.join(dir, "source.mp4"), { seconds, width: 1920, height: 1080, videoBitrate: "8M", keyframeSeconds: gopSeconds })));
  if (!runs.has("single")) {
    // A partial run (--runs): the fleets asked for and their utilisation, no table or model.
    for (const workers of [1, 2, 4].filter((w) => runs.has(String(w)))) {
      const { row } = await chunked(workers, source);
      console.log(`chunked ×${workers}: playable ${row.playable?.toFixed(2)} s, ready ${row.ready.toFixed(1)} s, CPU ${row.cpu.toFixed(1)} s`);
    }
  } else await sideBySide(source);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** The acceptance's run: single process, chunked ×1 and ×2 on the same source, and the model. */
async function sideBySide(source: Uint8Array): Promise<void> {
  // The single-process run reads the same bytes over HTTP from the same kind of storage.
  const stack = await startStack({ stateDir: path.join(dir, "single-state"), databaseUrl: await recreateDatabase(server, BENCH_DATABASE), build: false, sweepIntervalMs: 0, transcoders: 1 });
  let singleRow: Row;
  try {
    const s3 = localS3(stack.s3);
    await s3.send(new PutObjectCommand({ Bucket: stack.s3.bucket, Key: "bench/source.mp4", Body: source, ContentType: "video/mp4" }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: stack.s3.bucket, Key: "bench/source.mp4" }), { expiresIn: 3600 });
    singleRow = await single(url);
  } finally {
    await stack.stop();
  }
  console.log(`single: ready ${singleRow.ready.toFixed(1)} s, CPU ${singleRow.cpu.toFixed(1)} s`);
  const one = await chunked(1, source);
  console.log(`chunked ×1: playable ${one.row.playable?.toFixed(2)} s, ready ${one.row.ready.toFixed(1)} s, CPU ${one.row.cpu.toFixed(1)} s`);
  const two = await chunked(2, source);
  console.log(`chunked ×2: playable ${two.row.playable?.toFixed(2)} s, ready ${two.row.ready.toFixed(1)} s, CPU ${two.row.cpu.toFixed(1)} s`);

  console.log(`\n${seconds} s 1080p30 8 Mb/s source with audio, a keyframe every ${gopSeconds} s, ladder 1080p/720p/480p/360p/240p, machine with ${os.availableParallelism()} cores`);
  console.log("| run | first playable | ready | realtime | CPU-seconds | CPU vs single |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const row of [singleRow, one.row, two.row]) {
    const playable = row.playable === undefined ? "at the end¹" : `${row.playable.toFixed(2)} s`;
    console.log(`| ${row.name} | ${playable} | ${row.ready.toFixed(1)} s | ${(seconds / row.ready).toFixed(2)}× | ${row.cpu.toFixed(1)} | ${(row.cpu / singleRow.cpu).toFixed(2)}× |`);
  }
  console.log(`\nready speed-up, 2 one-core workers vs the single one-core process: ${(singleRow.ready / two.row.ready).toFixed(2)}× (target ≥ 1.6×)`);
  const machine = await twoCoreScaling(dir);
  console.log(
    `this machine's own ceiling: one pinned x264 encode ${machine.alone.toFixed(2)} s alone, ${machine.together.toFixed(2)} s with one on each core at once — two cores do ${machine.scaling.toFixed(2)}× the work of one, before the platform takes its share`,
  );
  console.log("¹ the single process publishes while encoding; run alone here it is measured to the end.");
  // Per-task costs on one core, fitted from this run's chunks (both fleets), for the model.
  const tasks = [...one.chunks, ...two.chunks];
  const video = fitLine(tasks.filter((c) => c.message === "chunk done"));
  const audio = fitLine(tasks.filter((c) => c.message === "audio done"));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  const stills = [...one.chunks, ...two.chunks].filter((c) => c.kind === "stills").map((c) => c.seconds!);
  const measured = {
    chunkPerSecond: video.perSecond,
    chunkOverhead: video.overhead,
    audioPerSecond: audio.perSecond,
    audioOverhead: audio.overhead,
    stills: mean(stills),
    plan: mean([one.planSeconds, two.planSeconds]),
    dispatch: 0.3,
  };
  console.log(`\nper task on one core (fit over ${video.count} video chunks): ${measured.chunkOverhead.toFixed(2)} s + ${measured.chunkPerSecond.toFixed(3)} s per second of video (a 16 s chunk: ${(measured.chunkOverhead + 16 * measured.chunkPerSecond).toFixed(1)} s); audio (fit over ${audio.count} audio chunks) ${measured.audioOverhead.toFixed(2)} s + ${measured.audioPerSecond.toFixed(4)} s per second (a 64 s chunk: ${(measured.audioOverhead + 64 * measured.audioPerSecond).toFixed(2)} s); stills ${measured.stills.toFixed(1)} s; upload-complete → plan ${measured.plan.toFixed(2)} s; 0.3 s per queue hop assumed`);
  console.log("\nModel (1080p30 with audio, 1-vCPU workers): ready after upload-complete / first playable");
  const fleets = [1, 16, 64, 256];
  console.log(`| length | ${fleets.map((w) => `${w} worker${w > 1 ? "s" : ""}`).join(" | ")} |`);
  console.log(`| --- | ${fleets.map(() => "---:").join(" | ")} |`);
  for (const minutes of [10, 60, 180]) {
    const cells = fleets.map((w) => {
      const m = modelReady(minutes, w, measured);
      return `${formatSeconds(m.ready)} / ${m.firstPlayable.toFixed(1)} s`;
    });
    console.log(`| ${minutes} min | ${cells.join(" | ")} |`);
  }
}
