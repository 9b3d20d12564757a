// A "video" that is really a playlist (HLS, DASH, ffconcat) must not make FFprobe or FFmpeg fetch
// what it lists. Each one is uploaded as video/mp4 and read through a presigned GET, as a real
// upload is; what it lists is a loopback listener this test runs, which must see no connection.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { PLAYLIST_REASON, probeSource, sourceInputOptions } from "../../transcode-container/src/probe.ts";
import { TestBucket } from "./helpers/s3.ts";

const exec = promisify(execFile);

let dir: string;
let bucket: TestBucket;
let trap: Server;
let trapUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "allowlist-test-"));
  bucket = new TestBucket(inject("r2"));
  trap = createServer((req, res) => {
    seen.push(`request ${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  trap.on("connection", () => seen.push("connection"));
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  const address = trap.address();
  trapUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterEach(() => {
  seen.length = 0;
});

afterAll(async () => {
  trap.closeAllConnections();
  await new Promise<void>((resolve) => trap.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const playlists: Record<string, () => string> = {
  "an HLS media playlist": () =>
    [
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-MEDIA-SEQUENCE:0",
      "#EXTINF:4.0,",
      `${trapUrl}/segment0.ts`,
      "#EXTINF:4.0,",
      `${trapUrl}/segment1.ts`,
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
  "an HLS master playlist": () =>
    ["#EXTM3U", "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360", `${trapUrl}/360p/playlist.m3u8`, ""].join("\n"),
  "an ffconcat list": () =>
    ["ffconcat version 1.0", `file ${trapUrl}/part1.mp4`, `file ${trapUrl}/part2.mp4`, ""].join("\n"),
  "a DASH manifest": () =>
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static"',
      '     mediaPresentationDuration="PT4S" minBufferTime="PT2S">',
      "  <Period>",
      '    <AdaptationSet mimeType="video/mp4" segmentAlignment="true">',
      '      <Representation id="1" bandwidth="500000" codecs="avc1.42c01e" width="640" height="360">',
      `        <BaseURL>${trapUrl}/video.mp4</BaseURL>`,
      '        <SegmentBase indexRange="0-999"><Initialization range="0-99"/></SegmentBase>',
      "      </Representation>",
      "    </AdaptationSet>",
      "  </Period>",
      "</MPD>",
      "",
    ].join("\n"),
};

/** Uploads the text as an .mp4 upload would be stored and returns its presigned GET URL. */
async function uploadDisguised(name: string, text: string): Promise<string> {
  const file = path.join(dir, `${name.replace(/\W+/g, "-")}.mp4`);
  await writeFile(file, text);
  const key = `uploads/${randomUUID()}/source`;
  await bucket.uploadFile(key, file, "video/mp4");
  return bucket.presignGet(key);
}

async function probeFailure(url: string): Promise<JobFailure> {
  const error = await probeSource({ ffprobePath: "ffprobe", url, maxDurationSeconds: 21600, signal: new AbortController().signal }).then(
    () => new Error("probe unexpectedly succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobFailure);
  return error as JobFailure;
}

/** FFmpeg with the production input options, decoding to nowhere. */
async function ffmpegExit(url: string): Promise<{ code: number; stderr: string }> {
  try {
    await exec("ffmpeg", ["-hide_banner", "-nostdin", "-loglevel", "error", ...sourceInputOptions(), "-i", url, "-f", "null", "-"]);
    return { code: 0, stderr: "" };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? "" };
  }
}

describe("input format allow-list", () => {
  it("the trap works: without the allow-list, FFprobe follows a disguised HLS playlist to it", async () => {
    // Guards the test itself: if this stops reaching the listener, the cases below prove nothing.
    const url = await uploadDisguised("control", playlists["an HLS media playlist"]!());
    const withoutAllowList = sourceInputOptions().filter(
      (_, i, all) => all[i] !== "-format_whitelist" && all[i - 1] !== "-format_whitelist",
    );
    await exec("ffprobe", ["-v", "error", ...withoutAllowList, "-show_format", url]).catch(() => undefined);
    expect(seen).toContain("request GET /segment0.ts");
  });

  for (const [name, render] of Object.entries(playlists)) {
    it(`refuses ${name} disguised as .mp4 without fetching what it lists`, async () => {
      const url = await uploadDisguised(name, render());

      const failure = await probeFailure(url);
      expect(failure.code).toBe("not_media");
      expect(failure.reason).toBe(PLAYLIST_REASON);

      const ffmpeg = await ffmpegExit(url);
      expect(ffmpeg.code).not.toBe(0);
      expect(ffmpeg.stderr).toMatch(/Format not on whitelist/);

      // Give a late connection (none expected) a moment to show up.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual([]);
    });
  }
});
