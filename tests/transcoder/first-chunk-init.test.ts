// The first chunk is encoded with lighter x264 analysis than the rest (CHUNK_PROFILE
// .firstChunkX264Params) so the video is playable sooner. Only the first chunk's init segment
// is published, and every later chunk's fragments are decoded with it: the two encodes must
// produce byte-identical init segments (same SPS/PPS) on every rung, or playback breaks at the
// first seam. Real FFmpeg, the source served over HTTP like the presigned URL.
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildChunkArgs, chunkOutputs } from "../../transcode-container/src/chunks/chunk-args.ts";
import { splitFragments } from "../../transcode-container/src/chunks/fmp4.ts";
import { planChunks } from "../../transcode-container/src/chunks/plan.ts";
import { buildLadder } from "../../transcode-container/src/ladder-profile.ts";
import { ffmpeg, makeClip } from "./helpers/media.ts";

let dir: string;
let server: Server;
let sourceUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "first-chunk-init-"));
  const file = await makeClip(dir, "source", { width: 1280, height: 720, seconds: 3 });
  const size = (await stat(file)).size;
  server = createServer((req, res) => {
    // Enough HTTP for FFmpeg: whole file or one byte range.
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : size - 1;
    res.writeHead(range ? 206 : 200, { "content-length": end - start + 1, "accept-ranges": "bytes", ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}) });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  sourceUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/source.mp4`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("first chunk's lighter encode", () => {
  it("writes the same init segment as later chunks on every rung", { timeout: 120_000 }, async () => {
    const ladder = buildLadder({ width: 1280, height: 720, frameRate: { num: 30, den: 1 }, hasAudio: false });
    const storyboard = { interval: 2, tileWidth: 160, tileHeight: 90, columns: 10 };
    const plan = planChunks({ durationSeconds: 3, ladder, videoStartSeconds: 0, storyboard });
    const inits: Uint8Array[][] = [];
    for (const chunk of [plan.chunks[0]!, plan.chunks[2]!]) {
      const out = path.join(dir, `chunk-${chunk.index}`);
      const outputs = chunkOutputs(out, ladder, chunk);
      await mkdir(out, { recursive: true });
      const args = buildChunkArgs({ sourceUrl, ladder, firstFrameIndex: 0, chunk, storyboard, outputs });
      if (chunk.index === 0) expect(args).toContain("-x264-params:v");
      else expect(args).not.toContain("-x264-params:v");
      await ffmpeg(args.slice(args.indexOf("-y") + 1));
      inits.push(await Promise.all(outputs.rungFiles.map(async (f) => splitFragments(new Uint8Array(await readFile(f)), { frames: chunk.startFrame, rate: ladder.sourceFrameRate }, chunk.firstSegment).init)));
    }
    ladder.rungs.forEach((rung, i) => expect(Buffer.from(inits[1]![i]!).equals(Buffer.from(inits[0]![i]!)), rung.name).toBe(true));
  });
});
