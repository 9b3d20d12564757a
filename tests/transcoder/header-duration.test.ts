// What is decoded is bounded by the plan, not by what the file turns out to contain: an MPEG-TS
// whose timestamps restart (a 16 s stream followed by a 4 s one) probes as 4 s but holds 20 s
// of frames. Every task reads only its planned range (input -t, trim by frame index), so the
// video comes out no longer than the 4 s the plan allowed — a file cannot smuggle in more
// decoding (or more than the duration limit) than it declared.
import { mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decodeFile } from "../support/hls-check.ts";
import { CallbackRecorder } from "./helpers/callback-recorder.ts";
import { transcodeChunked } from "./helpers/chunked.ts";
import { readStoredRendition } from "./helpers/harness.ts";
import { ffmpeg } from "./helpers/media.ts";
import { TestBucket } from "./helpers/s3.ts";
import { CALLBACK_SECRET, TranscoderProcess } from "./helpers/transcoder-process.ts";

let dir: string;
let bucket: TestBucket;
let recorder: CallbackRecorder;
let transcoders: TranscoderProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "header-duration-"));
  bucket = new TestBucket(inject("r2"));
  recorder = await new CallbackRecorder(CALLBACK_SECRET).start();
  transcoders = await Promise.all([TranscoderProcess.start(inject("r2")), TranscoderProcess.start(inject("r2"))]);
});

afterAll(async () => {
  await Promise.all(transcoders.map((t) => t.stop()));
  await recorder?.close();
  await rm(dir, { recursive: true, force: true });
});

async function ts(name: string, seconds: number): Promise<Buffer> {
  const file = path.join(dir, `${name}.ts`);
  await ffmpeg(["-f", "lavfi", "-i", `testsrc2=size=320x240:rate=30:duration=${seconds}`, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mpegts", file]);
  return readFile(file);
}

describe("a header that understates the length", () => {
  it("is transcoded to the declared length only, never to what the stream really holds", async () => {
    const lie = path.join(dir, "lie.ts");
    await writeFile(lie, Buffer.concat([await ts("long", 16), await ts("short", 4)]));
    const result = await transcodeChunked(transcoders, bucket, recorder, lie);
    expect(result.plan?.durationSeconds).toBeCloseTo(4, 0);
    // Ready or refused as damaged, but never 20 s long.
    if (result.failure === null) {
      const rung = result.plan!.ladder.rungs[0]!.name;
      const stored = await readStoredRendition(bucket, result.videoId, rung, dir);
      const decoded = await decodeFile(stored.file);
      expect(decoded.frames).toBeLessThanOrEqual(4 * 30 + 1);
    } else {
      expect(result.failure.code).toBe("corrupt");
    }
  });
});
