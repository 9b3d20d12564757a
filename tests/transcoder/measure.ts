// Measures a chunked transcode end to end (local R2, two transcoder processes, signed tasks and
// callbacks, driven the way the Worker drives them):
//   node tests/transcoder/measure.ts [width height seconds]   (default 1920 1080 10)
// Prints seconds to playable (the first video and audio chunks in) and to everything published, and the realtime
// factor of the whole run and of each chunk's encode.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startLocalR2 } from "../support/local-r2.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { transcodeChunked } from "./helpers/chunked.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

const [width, height, seconds] = [1920, 1080, 10].map((d, i) => Number(process.argv[2 + i] ?? d));
const dir = await mkdtemp(path.join(os.tmpdir(), "measure-"));
const r2 = await startLocalR2();
const transcoders = await Promise.all([TranscoderProcess.start(r2), TranscoderProcess.start(r2)]);
const recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
try {
  const clip = await makeClip(dir, "source", { width, height, seconds, audio: true });
  const started = Date.now();
  const run = await transcodeChunked(transcoders, new TestBucket(r2), recorder, clip);
  const total = (Date.now() - started) / 1000;
  // Playable once the first video chunk and the first audio chunk are in.
  const doneAt = (kind: string) => recorder.events.find((e) => e.payload.jobId === run.jobId && e.payload.event === "done" && e.payload.task.kind === kind && e.payload.task.index === 0)?.receivedAt;
  const firstIn = [doneAt("chunk"), ...(run.plan?.hasAudio ? [doneAt("audio")] : [])];
  const playable = firstIn.every((t) => t !== undefined) ? { receivedAt: Math.max(...(firstIn as number[])) } : null;
  const chunks = transcoders
    .flatMap((t) => t.logs)
    .map((line) => /"message":"chunk done".*"mediaSeconds":([\d.]+).*"encodeSeconds":([\d.]+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Math.round((Number(m[1]) / Number(m[2])) * 100) / 100);
  console.log(
    JSON.stringify({
      source: `${width}x${height} ${seconds}s 30fps`,
      failure: run.failure,
      rungs: run.plan?.ladder.rungs.map((r) => r.name),
      chunks: run.plan?.chunks.length,
      playableSeconds: playable ? (playable.receivedAt - started) / 1000 : null,
      publishedSeconds: total,
      realtimeFactor: Math.round((seconds / total) * 100) / 100,
      chunkRealtimeFactors: chunks,
    }),
  );
} finally {
  await Promise.all(transcoders.map((t) => t.stop()));
  await recorder.close();
  await r2.stop();
  await rm(dir, { recursive: true, force: true });
}
