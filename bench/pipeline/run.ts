// Pipeline benchmark: a 60 s 1080p30 8 Mb/s source through the whole local platform (upload →
// complete → queue → transcoder → playable → ready), against FFmpeg alone running the very same
// ladder arguments on the same stored source in the same run.
//   node bench/pipeline/run.ts [--seconds 60]
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildLadderArgs, outputLayout } from "../../transcode-container/src/ffmpeg-args.ts";
import { runFfmpeg } from "../../transcode-container/src/ffmpeg-process.ts";
import { planImages } from "../../transcode-container/src/images.ts";
import { buildLadder, rationalValue } from "../../transcode-container/src/ladder-profile.ts";
import { probeSource } from "../../transcode-container/src/probe.ts";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator, uploadFile, waitForVideo } from "../../tests/support/api-calls.ts";
import { makeClip } from "../../tests/support/clips.ts";
import { localS3 } from "../../tests/support/s3-client.ts";

const i = process.argv.indexOf("--seconds");
const seconds = i > 0 ? Number(process.argv[i + 1]) : 60;
const dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-bench-pipeline-"));
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl: await recreateDatabase(server, "edge_video_bench_pipeline"), build: false, sweepIntervalMs: 0 });

type Video = { status: string; playable: boolean; durationSeconds: number | null };

try {
  console.log(`generating a ${seconds} s 1080p30 8 Mb/s source…`);
  const source = new Uint8Array(await readFile(await makeClip(path.join(dir, "source.mp4"), { seconds, width: 1920, height: 1080, videoBitrate: "8M" })));
  const creator = await signUpCreator(stack.origin, "Bench creator");
  const { videoId, etags } = await uploadFile(creator, source, { title: "Pipeline bench" });

  const completedAt = performance.now();
  const done = await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
  if (done.status !== 202) throw new Error(`complete failed: ${done.status}`);
  await waitForVideo<Video>(creator, videoId, (v) => v.playable, 30 * 60_000);
  const playableSeconds = (performance.now() - completedAt) / 1000;
  await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready", 30 * 60_000);
  const readySeconds = (performance.now() - completedAt) / 1000;

  // FFmpeg alone: same source bytes (from the same storage, over HTTP), same arguments.
  const url = await getSignedUrl(localS3(stack.s3), new GetObjectCommand({ Bucket: stack.s3.bucket, Key: `uploads/${videoId}/source` }), { expiresIn: 3600 });
  const probe = await probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 21_600, signal: new AbortController().signal });
  const ladder = buildLadder({ width: probe.width, height: probe.height, frameRate: probe.frameRate, hasAudio: probe.hasAudio, interlaced: probe.interlaced });
  const images = planImages(probe.durationSeconds, probe.width, probe.height, rationalValue(ladder.sourceFrameRate));
  const layout = outputLayout(path.join(dir, "alone"));
  for (const rung of ladder.rungs) await mkdir(path.join(layout.hlsDir, rung.name), { recursive: true });
  await mkdir(layout.thumbnailsDir, { recursive: true });
  await mkdir(layout.tilesDir, { recursive: true });
  const aloneStart = performance.now();
  const result = await runFfmpeg({ ffmpegPath: "ffmpeg", args: buildLadderArgs({ sourceUrl: url, ladder, images, layout }) }).done;
  if (result.code !== 0) throw new Error(`ffmpeg alone failed: ${result.stderrTail}`);
  const aloneSeconds = (performance.now() - aloneStart) / 1000;

  const duration = probe.durationSeconds;
  console.log(`\n${seconds} s 1080p30 8 Mb/s source, ladder ${ladder.rungs.map((r) => r.name).join("/")}, ${os.cpus().length} cores`);
  console.log("| measure | value | target |");
  console.log("| --- | ---: | --- |");
  console.log(`| upload-complete → first playable | ${playableSeconds.toFixed(2)} s | ≤ 5 s |`);
  console.log(`| upload-complete → ready | ${readySeconds.toFixed(1)} s (${(duration / readySeconds).toFixed(2)}× realtime) | ≥ 1.0× |`);
  console.log(`| FFmpeg alone, same arguments | ${aloneSeconds.toFixed(1)} s (${(duration / aloneSeconds).toFixed(2)}× realtime) | |`);
  console.log(`| pipeline overhead over FFmpeg alone | ${((readySeconds / aloneSeconds - 1) * 100).toFixed(1)} % | ≤ 15 % |`);
  // Where the pipeline's time went, from the transcoder's own log.
  const log = (await readFile(path.join(dir, "state", "logs", "transcoder.log"), "utf8")).split("\n").filter((l) => l.startsWith("{"));
  const entries = log.map((l) => JSON.parse(l) as { time: string; message: string; seconds?: number });
  const first = entries.find((e) => e.message === "probed");
  for (const e of entries.filter((e) => ["probed", "playable", "encoded", "ready"].includes(e.message))) {
    console.log(`transcoder: ${e.message} at +${((Date.parse(e.time) - Date.parse(first!.time)) / 1000).toFixed(2)} s${e.seconds ? ` (${e.seconds.toFixed(1)} s)` : ""}`);
  }
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
