// Measures a real job end to end (local R2 + transcoder process + signed callbacks):
//   node tests/transcoder/measure.ts [width height seconds]   (default 1920 1080 10)
// Prints seconds from POST /jobs to "playable" and "ready", and FFmpeg's realtime factor.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startLocalR2 } from "../support/local-r2.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { prepareJob } from "./helpers/harness.ts";
import { makeClip } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

const [width, height, seconds] = [1920, 1080, 10].map((d, i) => Number(process.argv[2 + i] ?? d));
const dir = await mkdtemp(path.join(os.tmpdir(), "measure-"));
const r2 = await startLocalR2();
const transcoder = await TranscoderProcess.start(r2);
const recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
try {
  const clip = await makeClip(dir, "source", { width, height, seconds, audio: true });
  const job = await prepareJob(new TestBucket(r2), recorder, clip);
  const posted = Date.now();
  await transcoder.postJob(job.body);
  const end = await recorder.terminal(job.jobId, 1, 30 * 60_000);
  const at = (event: string) => recorder.events.find((e) => e.payload.jobId === job.jobId && e.payload.event === event);
  const since = (t: number | undefined) => (t === undefined ? "n/a" : ((t - posted) / 1000).toFixed(2));
  const encoded = transcoder.logs.map((l) => l.match(/"message":"encoded".*"realtimeFactor":([\d.]+)/)).find(Boolean);
  console.log(
    JSON.stringify({
      source: `${width}x${height} ${seconds}s 30fps`,
      outcome: end.payload.event,
      rungs: end.payload.result?.renditions.map((r) => r.name),
      playableSeconds: since(at("playable")?.receivedAt),
      readySeconds: since(end.receivedAt),
      realtimeFactor: encoded ? Number(encoded[1]) : null,
    }),
  );
} finally {
  await transcoder.stop();
  await recorder.close();
  await r2.stop();
  await rm(dir, { recursive: true, force: true });
}
