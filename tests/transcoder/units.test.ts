// Pure pieces of the transcoder: ladder, levels, keyframe plan, playlists, stills plan,
// signatures, probe interpretation, and the chunk pieces (plan, fMP4 splitting, assembly,
// storyboard cues, master). No storage; FFmpeg only to make one tiny fragmented MP4.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assemble, assembleAudio, type FinishedChunk } from "../../transcode-container/src/chunks/assemble.ts";
import { fragmentTimes, segmentTimeline, splitFragments } from "../../transcode-container/src/chunks/fmp4.ts";
import { renderChunkedMaster } from "../../transcode-container/src/chunks/master.ts";
import { CHUNK_PROFILE, chunkSizes, planAudioChunks, planChunks, storyboardVtt, type ChunkSpec } from "../../transcode-container/src/chunks/plan.ts";
import { buildAudioArgs } from "../../transcode-container/src/chunks/audio-job.ts";
import type { StoredPlan } from "../../transcode-container/src/chunks/task-contract.ts";
import { signCallback, verifyCallbackSignature } from "../../transcode-container/src/callback-signature.ts";
import { buildLadderArgs, forceKeyFramesExpression, outputLayout } from "../../transcode-container/src/ffmpeg-args.ts";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { h264HighCodecs, pickH264Level } from "../../transcode-container/src/h264-level.ts";
import { planImages } from "../../transcode-container/src/images.ts";
import {
  buildLadder,
  keyframeBoundaries,
  outputFrameRate,
  rationalValue,
  type Rational,
  type SourceVideo,
} from "../../transcode-container/src/ladder-profile.ts";
import { parseMasterPlaylist, renderMasterPlaylist } from "../../transcode-container/src/master-playlist.ts";
import { parseMediaPlaylist, renderMediaPlaylist } from "../../transcode-container/src/media-playlist.ts";
import { interpretProbe } from "../../transcode-container/src/probe.ts";
import { bitrates } from "../../transcode-container/src/rendition-rates.ts";
import { ffmpeg } from "./helpers/media.ts";

const source = (width: number, height: number, fps = 30, hasAudio = true): SourceVideo => ({
  width,
  height,
  frameRate: { num: fps, den: 1 },
  hasAudio,
});

describe("ladder", () => {
  it("keeps every rung up to a 1080p source and keeps 16:9 with even sizes", () => {
    const ladder = buildLadder(source(1920, 1080));
    expect(ladder.rungs.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      "1080p:1920x1080",
      "720p:1280x720",
      "480p:854x480",
      "360p:640x360",
      "240p:426x240",
    ]);
  });

  it("ladders portrait sources by their short side", () => {
    const ladder = buildLadder(source(1080, 1920, 30, false));
    expect(ladder.rungs.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      "1080p:1080x1920",
      "720p:720x1280",
      "480p:480x854",
      "360p:360x640",
      "240p:240x426",
    ]);
    expect(ladder.rungs.every((r) => r.audioKbps === null)).toBe(true);
  });

  it("uses every rung for 4K, none above the source, and even sizes for odd sources", () => {
    expect(buildLadder(source(3840, 2160)).rungs.map((r) => r.height)).toEqual([2160, 1440, 1080, 720, 480, 360, 240]);
    expect(buildLadder(source(1280, 1000)).rungs[0].name).toBe("720p");
    const odd = buildLadder(source(321, 241));
    expect(odd.rungs.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual(["240p:320x240"]);
  });

  it("gives sources under 240 px one rung at their own even size", () => {
    expect(buildLadder(source(160, 120)).rungs.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual(["120p:160x120"]);
    expect(buildLadder(source(201, 151)).rungs.map((r) => `${r.width}x${r.height}`)).toEqual(["200x150"]);
  });

  it("keeps aspect ratio within rounding on every rung", () => {
    for (const [w, h] of [
      [1920, 1080],
      [1440, 1080],
      [1080, 1350],
      [2560, 1080],
      [321, 241],
    ]) {
      for (const rung of buildLadder(source(w, h)).rungs) {
        expect(rung.width % 2).toBe(0);
        expect(rung.height % 2).toBe(0);
        expect(Math.abs(rung.width / rung.height - w / h)).toBeLessThan(0.02);
      }
    }
  });

  it("caps frame rate at 60 and halves it on low rungs", () => {
    const ladder = buildLadder(source(1920, 1080, 120));
    expect(rationalValue(ladder.rungs[0].frameRate)).toBe(60);
    expect(rationalValue(ladder.rungs.find((r) => r.name === "480p")!.frameRate)).toBe(30);
    expect(rationalValue(ladder.keyframeGridRate)).toBe(30);
    const ntsc = buildLadder({ ...source(1280, 720), frameRate: { num: 60000, den: 1001 } });
    expect(ntsc.rungs.map((r) => r.frameRate)).toEqual([
      { num: 60000, den: 1001 },
      { num: 30000, den: 1001 },
      { num: 30000, den: 1001 },
      { num: 30000, den: 1001 },
    ]);
  });

  it("snaps jittery VFR averages to a standard rate", () => {
    expect(outputFrameRate({ num: 2987, den: 100 })).toEqual({ num: 30000, den: 1001 });
    expect(outputFrameRate({ num: 90000000, den: 3966667 })).toEqual({ num: 22689, den: 1000 });
    expect(outputFrameRate(null)).toEqual({ num: 30, den: 1 });
    expect(outputFrameRate({ num: 15, den: 1 })).toEqual({ num: 15, den: 1 });
  });

  it("scales bitrate caps with pixel count and picks honest H.264 levels", () => {
    const wide = buildLadder(source(1920, 1080)).rungs;
    expect(wide.map((r) => r.videoMaxKbps)).toEqual([7800, 4500, 1500, 365, 150]);
    expect(wide.map((r) => r.level)).toEqual(["4.0", "3.1", "3.1", "3.0", "2.1"]);
    const fourThree = buildLadder(source(1440, 1080)).rungs[0];
    expect(fourThree.videoMaxKbps).toBe(5850);
    expect(pickH264Level(1920, 1080, 60, 7800).name).toBe("4.2");
    expect(pickH264Level(3840, 2160, 30, 22600).name).toBe("5.1");
    expect(h264HighCodecs(40)).toBe("avc1.640028");
    expect(h264HighCodecs(31)).toBe("avc1.64001f");
  });
});

describe("keyframes and segments", () => {
  it("plans short startup segments then 4 s segments", () => {
    expect(keyframeBoundaries(8)).toEqual([0, 0.5, 1, 2, 4, 8, 12, 16]);
  });

  it("drops a startup boundary that snaps onto the previous one's frame, in the plan and the expression alike", () => {
    // 1 fps: 0.5 s snaps to frame 1, the same frame as the 1 s boundary.
    const ladder = buildLadder({ width: 640, height: 360, frameRate: { num: 1, den: 1 }, hasAudio: false });
    const plan = planChunks({ durationSeconds: 20, ladder, videoStartSeconds: 0, storyboard: { interval: 10, tileWidth: 160, tileHeight: 90, columns: 10 } });
    expect(plan.chunks.slice(0, 4).map((c) => [c.firstSegment, c.startFrame + 0])).toEqual([[1, 0], [2, 1], [3, 2], [4, 4]]);
    const slow = forceKeyFramesExpression({ num: 1, den: 1 });
    expect(slow).toContain("if(eq(n_forced,1),0.5,if(eq(n_forced,2),2,(4+4*(n_forced-3))))");
    expect(forceKeyFramesExpression({ num: 30, den: 1 })).toContain("if(eq(n_forced,1),0.5,if(eq(n_forced,2),1,if(eq(n_forced,3),2,(4+4*(n_forced-4)))))");
  });

  it("builds an expression that snaps boundaries to the slowest rung's frame grid", () => {
    const expr = forceKeyFramesExpression({ num: 30000, den: 1001 });
    expect(expr.startsWith("expr:")).toBe(true);
    expect(expr).toContain("(30000/1001)");
    expect(expr).toContain("n_forced");
  });
});

describe("ffmpeg arguments", () => {
  const args = (src: SourceVideo & { interlaced?: boolean }) => {
    const ladder = buildLadder(src);
    return buildLadderArgs({
      sourceUrl: "https://r2.example/source?sig=1",
      ladder,
      images: planImages(10, src.width, src.height, 30),
      layout: outputLayout("/scratch/job-x"),
    });
  };

  it("decodes once and encodes every rung in one command with aligned keyframes", () => {
    const list = args(source(1920, 1080));
    const graph = list[list.indexOf("-filter_complex") + 1];
    expect(graph.startsWith("[0:v:0]fps=30,split=8")).toBe(true);
    expect(list.filter((a) => a === "-i")).toHaveLength(1);
    expect(list[list.indexOf("-var_stream_map") + 1]).toBe(
      "v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:480p v:3,a:3,name:360p v:4,a:4,name:240p",
    );
    expect(list).toEqual(expect.arrayContaining(["-preset", "veryfast", "-sc_threshold:v", "0", "-hls_segment_type", "fmp4"]));
    expect(list[list.indexOf("-hls_playlist_type") + 1]).toBe("event");
    expect(list[list.indexOf("-protocol_whitelist") + 1]).toBe("http,https,tcp,tls");
    expect(graph).not.toContain("bwdif");
  });

  it("maps no audio for silent sources and deinterlaces interlaced ones", () => {
    const list = args({ ...source(720, 576, 25, false), interlaced: true });
    expect(list).not.toContain("0:a:0");
    expect(list[list.indexOf("-var_stream_map") + 1]).toBe("v:0,name:480p v:1,name:360p v:2,name:240p");
    expect(list[list.indexOf("-filter_complex") + 1]).toContain("bwdif=mode=send_frame:deint=interlaced,fps=25,");
  });
});

describe("media playlists", () => {
  const ffmpegOutput = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:1",
    "#EXT-X-MEDIA-SEQUENCE:1",
    "#EXT-X-PLAYLIST-TYPE:EVENT",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    '#EXT-X-MAP:URI="init_3.mp4"',
    "#EXTINF:1.000000,",
    "seg_00001.m4s",
    "#EXTINF:1.001000,",
    "seg_00002.m4s",
    "#EXTINF:2.0",
  ].join("\n");

  it("parses FFmpeg's playlist and ignores a half-written last entry", () => {
    const parsed = parseMediaPlaylist(ffmpegOutput);
    expect(parsed.initUri).toBe("init_3.mp4");
    expect(parsed.segments).toEqual([
      { uri: "seg_00001.m4s", duration: 1 },
      { uri: "seg_00002.m4s", duration: 1.001 },
    ]);
    expect(parsed.ended).toBe(false);
  });

  it("renders an EVENT playlist with a fixed target duration and ENDLIST only at the end", () => {
    const segments = [
      { uri: "seg_00001.m4s", duration: 1 },
      { uri: "seg_00002.m4s", duration: 4.004 },
    ];
    const growing = renderMediaPlaylist({ initUri: "init.mp4", segments, ended: false, targetDuration: 4 });
    expect(growing).toContain("#EXT-X-TARGETDURATION:4\n");
    expect(growing).toContain("#EXT-X-PLAYLIST-TYPE:EVENT");
    expect(growing).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(growing).not.toContain("ENDLIST");
    const done = renderMediaPlaylist({ initUri: "init.mp4", segments, ended: true, targetDuration: 4 });
    expect(done.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
    expect(parseMediaPlaylist(done).segments).toEqual(segments);
  });
});

describe("master playlist", () => {
  it("lists the start variant first, then by bandwidth, with all attributes and relative URIs", () => {
    const variant = (name: string, bandwidth: number, height: number) => ({
      uri: `${name}/playlist.m3u8`,
      bandwidth,
      averageBandwidth: bandwidth * 0.8,
      codecs: "avc1.64001f,mp4a.40.2",
      width: Math.round((height * 16) / 9),
      height,
      frameRate: 30000 / 1001,
    });
    const text = renderMasterPlaylist([variant("720p", 4_600_000, 720), variant("480p", 1_600_000, 480), variant("240p", 250_000, 240)], 1);
    expect(text.startsWith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")).toBe(true);
    const entries = parseMasterPlaylist(text);
    expect(entries.map((e) => e.uri)).toEqual(["480p/playlist.m3u8", "720p/playlist.m3u8", "240p/playlist.m3u8"]);
    expect(entries[0].attributes).toMatchObject({
      BANDWIDTH: "1600000",
      "AVERAGE-BANDWIDTH": "1280000",
      CODECS: "avc1.64001f,mp4a.40.2",
      RESOLUTION: "853x480",
      "FRAME-RATE": "29.970",
    });
    expect(() => renderMasterPlaylist([{ ...variant("x", 1, 1), uri: "https://elsewhere/x.m3u8" }])).toThrow();
  });
});

describe("stills plan", () => {
  it("takes the poster from a window 10-20 % in and keeps the storyboard bounded", () => {
    const plan = planImages(60, 1920, 1080, 30);
    expect(plan.poster.start).toBe(6);
    expect(plan.poster.end).toBe(12);
    expect(plan.poster.batch).toBeGreaterThanOrEqual(30);
    expect([plan.poster.width, plan.poster.height]).toEqual([1280, 720]);
    expect(plan.storyboard.interval).toBe(1);
    const long = planImages(6 * 3600, 1920, 1080, 30);
    expect(long.storyboard.interval).toBe(108);
    expect(long.poster.end - long.poster.start).toBe(10);
    const portrait = planImages(10, 1080, 1920, 30);
    expect([portrait.storyboard.tileWidth, portrait.storyboard.tileHeight]).toEqual([160, 284]);
  });
});

describe("callback signatures", () => {
  it("signs the time and the body's SHA-256 with HMAC-SHA256 and verifies within the tolerance", async () => {
    const body = JSON.stringify({ event: "ready" });
    const header = await signCallback("secret", body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,sha256=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await verifyCallbackSignature("secret", header, body, { now: 1_700_000_100 })).toBe(true);
    expect(await verifyCallbackSignature("other", header, body, { now: 1_700_000_100 })).toBe(false);
    expect(await verifyCallbackSignature("secret", header, `${body} `, { now: 1_700_000_100 })).toBe(false);
    expect(await verifyCallbackSignature("secret", header, body, { now: 1_700_001_000 })).toBe(false);
  });
});

describe("probe interpretation", () => {
  const stream = {
    codec_type: "video",
    codec_name: "h264",
    width: 1920,
    height: 1080,
    avg_frame_rate: "30/1",
    r_frame_rate: "30/1",
    disposition: { attached_pic: 0 },
  };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof JobFailure ? error.code : String(error);
    }
    return "ok";
  };

  it("applies rotation and sample aspect ratio to the displayed size", () => {
    const rotated = interpretProbe(
      {
        streams: [{ ...stream, side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }] }],
        format: { format_name: "mov,mp4", duration: "10" },
      },
      21600,
    );
    expect([rotated.width, rotated.height, rotated.rotation]).toEqual([1080, 1920, 270]);
    const anamorphic = interpretProbe(
      { streams: [{ ...stream, width: 720, height: 480, sample_aspect_ratio: "32:27" }], format: { format_name: "mov,mp4", duration: "5" } },
      21600,
    );
    expect([anamorphic.width, anamorphic.height]).toEqual([853, 480]);
  });

  it("refuses what we cannot or will not transcode", () => {
    const fmt = { format_name: "mov,mp4", duration: "10" };
    expect(code(() => interpretProbe({ streams: [], format: fmt }, 21600))).toBe("not_media");
    expect(code(() => interpretProbe({ streams: [{ codec_type: "audio" }], format: fmt }, 21600))).toBe("no_video");
    expect(
      code(() =>
        interpretProbe(
          { streams: [{ codec_type: "audio" }, { ...stream, codec_name: "mjpeg", disposition: { attached_pic: 1 } }], format: fmt },
          21600,
        ),
      ),
    ).toBe("no_video");
    expect(code(() => interpretProbe({ streams: [stream], format: { ...fmt, duration: "21601" } }, 21600))).toBe("too_long");
    expect(code(() => interpretProbe({ streams: [{ ...stream, width: 8200 }], format: fmt }, 21600))).toBe("too_large");
    expect(code(() => interpretProbe({ streams: [{ ...stream, width: 8000, height: 4500 }], format: fmt }, 21600))).toBe(
      "too_large",
    );
    expect(code(() => interpretProbe({ streams: [stream], format: { format_name: "hls", duration: "10" } }, 21600))).toBe(
      "not_media",
    );
    expect(code(() => interpretProbe({ streams: [{ ...stream, codec_name: "png" }], format: { format_name: "png_pipe" } }, 21600))).toBe(
      "not_media",
    );
  });
});

// ---- chunked transcoding ----

const RATES: Record<string, Rational> = {
  "29.97": { num: 30000, den: 1001 },
  "30": { num: 30, den: 1 },
  "59.94": { num: 60000, den: 1001 },
  "25": { num: 25, den: 1 },
};

function chunkPlan(frameRate: Rational, durationSeconds: number, options: { hasAudio?: boolean; videoStartSeconds?: number } = {}) {
  const ladder = buildLadder({ width: 1280, height: 720, frameRate, hasAudio: options.hasAudio ?? true });
  const images = planImages(durationSeconds, 1280, 720, rationalValue(ladder.sourceFrameRate));
  const plan = planChunks({ durationSeconds, ladder, videoStartSeconds: options.videoStartSeconds ?? 0, storyboard: images.storyboard });
  const stored: StoredPlan = { durationSeconds, width: 1280, height: 720, hasAudio: ladder.hasAudio, ladder, images, frameCount: plan.frameCount, firstFrameIndex: plan.firstFrameIndex, chunkCount: plan.chunks.length, audioChunkCount: planAudioChunks(durationSeconds).length };
  return { ...plan, ladder, images, stored };
}

describe("chunk plan", () => {
  it("starts with one 0.5 s segment, then grows chunk by chunk as CHUNK_PROFILE says", () => {
    expect(CHUNK_PROFILE.segmentsPerChunk[0]).toBe(1);
    const plan = chunkPlan(RATES["30"]!, 61);
    expect(plan.frameCount).toBe(1830);
    expect(plan.chunks[0]).toMatchObject({ index: 0, firstSegment: 1, segmentCount: 1, endFrame: 15, endSeconds: 0.5 });
    // 61 s: segments start at 0, 0.5, 1, 2 and every 4 s from 4 to 60: 19 of them.
    expect(plan.chunks.map((c) => c.segmentCount)).toEqual(chunkSizes(19));
    expect(plan.chunks.at(-1)).toMatchObject({ endFrame: 1830, endSeconds: 61 });
    expect(chunkPlan(RATES["30"]!, 3600).chunks).toHaveLength(chunkSizes(4 + 899).length);
    expect(chunkPlan(RATES["30"]!, 10, { videoStartSeconds: 0.5 }).firstFrameIndex).toBe(15);
  });

  it("tapers at the end: no chunk takes more than a third of what is left, so the last ones are short", () => {
    const { segmentsPerChunk, tailDivisor } = CHUNK_PROFILE;
    for (const total of [1, 2, 5, 19, 50, 904]) {
      const sizes = chunkSizes(total);
      expect(sizes.reduce((a, b) => a + b, 0), `${total}`).toBe(total);
      let left = total;
      sizes.forEach((size, i) => {
        expect(size, `${total} #${i}`).toBe(Math.min(segmentsPerChunk[Math.min(i, segmentsPerChunk.length - 1)]!, Math.ceil(left / tailDivisor), left));
        left -= size;
      });
    }
    // An hour: steady 16 s chunks, then 12, 8 and 4 s ones at the end.
    expect(chunkSizes(4 + 899).slice(-7)).toEqual([4, 4, 3, 2, 1, 1, 1]);
    expect(chunkSizes(4 + 899).slice(0, 9)).toEqual([...segmentsPerChunk]);
  });

  it("tiles [0, frameCount) exactly, on the keyframe grid, for common rates and lengths", () => {
    for (const [name, rate] of Object.entries(RATES)) {
      for (const seconds of [0.5, 4, 4.01, 61, 3600]) {
        const label = `${name} fps, ${seconds} s`;
        const plan = chunkPlan(rate, seconds);
        const { chunks } = plan;
        expect(plan.frameCount, label).toBe(Math.ceil((seconds * rate.num) / rate.den - 0.001));
        expect(chunks[0]!.startFrame + 0, label).toBe(0); // + 0: the first boundary may be -0
        expect(chunks.at(-1)!.endFrame, label).toBe(plan.frameCount);
        // A 59.94 source cuts where its 29.97 rungs have a frame: every other frame.
        const grid = Math.round(rationalValue(plan.ladder.sourceFrameRate) / rationalValue(plan.ladder.keyframeGridRate));
        chunks.forEach((chunk, i) => {
          expect(chunk.index, label).toBe(i);
          expect(chunk.endFrame, label).toBeGreaterThan(chunk.startFrame);
          expect(chunk.startFrame % grid === 0, label).toBe(true);
          expect(chunk.startSeconds, label).toBeCloseTo((chunk.startFrame * rate.den) / rate.num, 5);
          expect(chunk.endSeconds, label).toBeCloseTo((chunk.endFrame * rate.den) / rate.num, 5);
          const size = chunkSizes(chunks.reduce((a, c) => a + c.segmentCount, 0))[i]!;
          if (i < chunks.length - 1) {
            expect(chunk.segmentCount, label).toBe(size);
            expect(chunks[i + 1]!.startFrame, label).toBe(chunk.endFrame);
            expect(chunks[i + 1]!.firstSegment, label).toBe(chunk.firstSegment + chunk.segmentCount);
          } else {
            expect(chunk.segmentCount, label).toBeLessThanOrEqual(size);
          }
        });
      }
    }
    const counts = (seconds: number) => chunkPlan(RATES["29.97"]!, seconds).chunks.map((c) => c.segmentCount);
    expect(counts(0.5)).toEqual([1]);
    expect(counts(4)).toEqual(chunkSizes(4));
    // 10 ms past the 4 s boundary still gets its own (tiny) last segment.
    expect(counts(4.01)).toEqual(chunkSizes(5));
  });

  it("hands every storyboard tile to the one chunk its time falls in", () => {
    for (const seconds of [0.5, 4.01, 61, 3600]) {
      const plan = chunkPlan(RATES["29.97"]!, seconds);
      const interval = plan.images.storyboard.interval;
      let next = 0;
      for (const chunk of plan.chunks) {
        expect(chunk.firstTile).toBe(next);
        for (let tile = chunk.firstTile; tile < chunk.firstTile + chunk.tileCount; tile += 1) {
          expect(tile * interval).toBeGreaterThanOrEqual(chunk.startSeconds);
          expect(tile * interval).toBeLessThan(chunk.endSeconds);
        }
        next += chunk.tileCount;
      }
      expect(next, `${seconds} s`).toBe(Math.ceil(seconds / interval));
    }
  });
});

describe("measured bitrates", () => {
  it("never puts BANDWIDTH under AVERAGE-BANDWIDTH, even when dense short segments are rated per second", () => {
    const rung = buildLadder({ width: 1280, height: 720, frameRate: { num: 30, den: 1 }, hasAudio: true }).rungs[0]!;
    // A keyframe-heavy 0.5 s startup segment (2 Mb in half a second) and a calm 4 s one.
    const segments = [{ duration: 0.5, bytes: 250_000 }, { duration: 4, bytes: 400_000 }];
    const rates = bitrates(rung, { codecs: null, segments }, "measured");
    expect(rates.averageBandwidth).toBe(Math.ceil((650_000 * 8) / 4.5));
    expect(rates.bandwidth).toBeGreaterThanOrEqual(rates.averageBandwidth);
    // Calm short segments leave the per-second peak rule as it was.
    const calm = bitrates(rung, { codecs: null, segments: [{ duration: 0.5, bytes: 10_000 }, { duration: 4, bytes: 400_000 }] }, "measured");
    expect(calm.bandwidth).toBe(800_000);
  });
});

describe("audio chunk plan", () => {
  it("cuts the audio on the 8 s grid (whole AAC frames at 48 kHz): 8 s first, then 56 s, then 64 s", () => {
    expect((8 * 48000) % 1024).toBe(0);
    expect(planAudioChunks(5)).toEqual([{ index: 0, firstSegment: 1, startSeconds: 0, endSeconds: 5 }]);
    expect(planAudioChunks(130.5)).toEqual([
      { index: 0, firstSegment: 1, startSeconds: 0, endSeconds: 8 },
      { index: 1, firstSegment: 3, startSeconds: 8, endSeconds: 64 },
      { index: 2, firstSegment: 17, startSeconds: 64, endSeconds: 128 },
      { index: 3, firstSegment: 33, startSeconds: 128, endSeconds: 130.5 },
    ]);
    for (const seconds of [0.5, 8, 8.0004, 61, 3600, 21600]) {
      const chunks = planAudioChunks(seconds);
      expect(chunks[0]!.startSeconds).toBe(0);
      expect(chunks.at(-1)!.endSeconds).toBeCloseTo(seconds, 6);
      chunks.forEach((chunk, i) => {
        expect(chunk.startSeconds % 8, `${seconds} s chunk ${i}`).toBe(0);
        if (i > 0) expect(chunk.startSeconds).toBe(chunks[i - 1]!.endSeconds);
        // At most one ~4 s segment per 4 s: the next chunk's numbers are never reached.
        if (i > 0) expect(chunk.firstSegment).toBeGreaterThanOrEqual(chunks[i - 1]!.firstSegment + Math.floor((chunks[i - 1]!.endSeconds - chunks[i - 1]!.startSeconds) / 4));
      });
    }
    expect(planAudioChunks(3600)).toHaveLength(2 + Math.ceil((3600 - 64) / 64));
  });

  it("primes the encoder before a chunk's start and keeps exactly its frames", () => {
    const args = (start: number, end: number) => buildAudioArgs("https://r2.example/src.mp4", { index: 1, firstSegment: 3, startSeconds: start, endSeconds: end }, "/tmp/a.mp4");
    const later = args(8, 64);
    expect(later[later.indexOf("-ss") + 1]).toBe((8 - 2048 / 48000).toFixed(6));
    expect(later[later.indexOf("-bsf:a") + 1]).toBe(`noise=drop=lt(pts\\,2048)+gte(pts\\,${2048 + 56 * 48000})`);
    expect(later).toContain("-vn"); // the video stream is never decoded
    const first = args(0, 8);
    expect(first[first.indexOf("-ss") + 1]).toBe("0.000000");
    expect(first[first.indexOf("-bsf:a") + 1]).toBe(`noise=drop=lt(pts\\,0)+gte(pts\\,${8 * 48000})`);
  });
});

describe("storyboard cues", () => {
  it("point into the sheet of the chunk their time falls in, row by row, the last cue ending with the video", () => {
    const plan = chunkPlan(RATES["30"]!, 61);
    const board = plan.images.storyboard;
    const vtt = storyboardVtt(plan.chunks, board, 60.5, (n) => `storyboard/${n}.jpg`);
    expect(vtt.startsWith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nstoryboard/0.jpg#xywh=0,0,160,90\n")).toBe(true);
    const cues = [...vtt.matchAll(/(\d\d):(\d\d):(\d\d\.\d{3}) --> (\S+)\nstoryboard\/(\d+)\.jpg#xywh=(\d+),(\d+),160,90/g)].map((m) => ({
      start: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]),
      end: m[4]!,
      sheet: Number(m[5]),
      x: Number(m[6]),
      y: Number(m[7]),
    }));
    expect(cues.map((c) => c.start)).toEqual(Array.from({ length: 61 }, (_, i) => i));
    // Every chunk with a tile has its sheet (the 0.5–1 s chunk holds none at 1 s intervals).
    expect([...new Set(cues.map((c) => c.sheet))]).toEqual(plan.chunks.filter((c) => c.tileCount > 0).map((c) => c.index));
    for (const cue of cues) {
      const chunk = plan.chunks[cue.sheet]!;
      expect(cue.start).toBeGreaterThanOrEqual(chunk.startSeconds);
      expect(cue.start).toBeLessThan(chunk.endSeconds);
      const j = cue.start / board.interval - chunk.firstTile;
      const columns = Math.min(board.columns, chunk.tileCount);
      expect([cue.x, cue.y], `${cue.start} s`).toEqual([(j % columns) * board.tileWidth, Math.floor(j / columns) * board.tileHeight]);
    }
    // Sheets with more tiles than columns wrap onto a second row.
    expect(cues.some((c) => c.y === board.tileHeight)).toBe(plan.chunks.some((c) => c.tileCount > board.columns));
    expect(cues.at(-1)!.end).toBe("00:01:00.500");
  });
});

describe("fragmented MP4", () => {
  const type = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  const fragmented = ["-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets", "-use_editlist", "0"];

  it("splits a chunk's output into init + one fragment per segment, moved onto the video's timeline", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "fmp4-"));
    try {
      const file = path.join(dir, "chunk.mp4");
      // Three 1 s segments at 30 fps, as a chunk starting at frame 120 (4 s) writes them.
      await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30:duration=3", "-force_key_frames", "expr:gte(t,n_forced)", "-sc_threshold", "0", ...fragmented, file]);
      const bytes = new Uint8Array(await readFile(file));
      const original = bytes.slice();
      const split = splitFragments(bytes, { frames: 120, rate: { num: 30, den: 1 } }, 5);
      expect(bytes).toEqual(original);
      expect(type(split.init, 0)).toBe("ftyp");
      expect(Buffer.from(split.init).includes("moov")).toBe(true);
      expect(split.fragments).toHaveLength(3);
      const ts = split.timescale;
      expect(split.fragments.map((f) => f.durationTicks)).toEqual([ts, ts, ts]);
      for (const [i, fragment] of split.fragments.entries()) {
        expect(type(fragment.bytes, 0)).toBe("moof");
        expect(type(fragment.bytes, 8)).toBe("mfhd");
        expect(new DataView(fragment.bytes.buffer, fragment.bytes.byteOffset).getUint32(20)).toBe(5 + i);
      }
      expect(fragmentTimes(bytes).fragments[0]!.decodeTime).toBe(0n);
      const moved = fragmentTimes(Buffer.concat([split.init, ...split.fragments.map((f) => f.bytes)]));
      expect(moved.fragments.map((f) => f.decodeTime)).toEqual([4, 5, 6].map((s) => BigInt(s * ts)));
      expect(segmentTimeline(split.init, split.fragments.map((f) => f.bytes))).toEqual({ continuous: true, seconds: 3 });
      // A gap between segments is caught.
      expect(segmentTimeline(split.init, [split.fragments[0]!.bytes, split.fragments[2]!.bytes]).continuous).toBe(false);

      // No frame in the chunk's range (the source ended before it): an init and no fragment.
      const empty = path.join(dir, "empty.mp4");
      await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30:duration=1", "-frames:v", "0", ...fragmented, empty]);
      expect(splitFragments(new Uint8Array(await readFile(empty)), { frames: 0, rate: { num: 30, den: 1 } }, 1).fragments).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("assembly", () => {
  // Three chunks of a 12 s video: segments [1], [2, 3], [4, 5] (1, 1 + 2, 4 + 4 seconds).
  const spec = (index: number, firstSegment: number, segmentCount: number): ChunkSpec => ({
    index, firstSegment, segmentCount, startFrame: 0, endFrame: 1, startSeconds: 0, endSeconds: 1, firstTile: 0, tileCount: 0,
  });
  const [c0, c1, c2] = [spec(0, 1, 1), spec(1, 2, 2), spec(2, 4, 2)];
  const plan = { ...chunkPlan(RATES["30"]!, 12), stored: { ...chunkPlan(RATES["30"]!, 12).stored, chunkCount: 3 } };
  const rungs = plan.ladder.rungs.map((r) => r.name);
  const finished = (spec: ChunkSpec, durations: number[]): FinishedChunk => ({
    spec,
    renditions: rungs.map((name) => ({ name, codecs: "avc1.64001f", segments: durations.map((duration) => ({ duration, bytes: 1000 })) })),
  });
  const all = [finished(c0, [1]), finished(c1, [1, 2]), finished(c2, [4, 4])];
  const segmentUris = (text: string) => text.split("\n").filter((l) => l.startsWith("seg_"));

  it("publishes the contiguous prefix of finished chunks, ENDLIST only once all are in", () => {
    const none = assemble(plan.stored, []);
    expect(none).toMatchObject({ prefix: 0, ended: false, encodedSeconds: 0, shortChunk: null });
    expect(none.playlists.size).toBe(0);

    const gap = assemble(plan.stored, [all[0], undefined, all[2]]);
    expect(gap).toMatchObject({ prefix: 1, ended: false, encodedSeconds: 1, shortChunk: null });
    expect([...gap.playlists.keys()]).toEqual(rungs);
    for (const text of gap.playlists.values()) {
      expect(segmentUris(text)).toEqual(["seg_00001.m4s"]);
      expect(text).not.toContain("#EXT-X-ENDLIST");
    }

    const whole = assemble(plan.stored, all);
    expect(whole).toMatchObject({ prefix: 3, ended: true, encodedSeconds: 12, shortChunk: null });
    for (const text of whole.playlists.values()) {
      expect(segmentUris(text)).toEqual([1, 2, 3, 4, 5].map((n) => `seg_0000${n}.m4s`));
      expect(text.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);
    }
    expect(whole.measured.get(rungs[0]!)?.segments).toHaveLength(5);
  });

  it("reports a chunk before the last that came back short; a short last chunk is the video's end", () => {
    const short = assemble(plan.stored, [all[0], finished(c1, [1]), all[2]]);
    expect(short.shortChunk?.index).toBe(1);
    expect(assemble(plan.stored, [all[0], all[1], finished(c2, [4])]).shortChunk).toBeNull();
    // Only the finished prefix counts.
    expect(assemble(plan.stored, [all[0], undefined, finished(c2, [4])]).shortChunk).toBeNull();
  });
});

describe("audio assembly", () => {
  const audioChunks = planAudioChunks(20);
  const stored = { audioChunkCount: audioChunks.length };
  const finished = (i: number, durations: number[]) => ({ spec: audioChunks[i]!, renditions: [{ name: "audio", codecs: "mp4a.40.2", segments: durations.map((duration) => ({ duration, bytes: 100 })) }] });

  it("grows the audio playlist over the contiguous prefix of finished audio chunks", () => {
    expect(assembleAudio(stored, [])).toEqual({ prefix: 0, ended: false, playlist: null });
    expect(assembleAudio(stored, [undefined, finished(1, [4.010667, 4.010667, 4.010667])]).playlist).toBeNull();
    const first = assembleAudio(stored, [finished(0, [4.010667, 3.989333])]);
    expect(first).toMatchObject({ prefix: 1, ended: false });
    expect(first.playlist!.split("\n").filter((l) => l.startsWith("seg_"))).toEqual(["seg_00001.m4s", "seg_00002.m4s"]);
    const all = assembleAudio(stored, [finished(0, [4.010667, 3.989333]), finished(1, [4.010667, 4.010667, 4.010667])]);
    expect(all).toMatchObject({ prefix: 2, ended: true });
    expect(all.playlist!.split("\n").filter((l) => l.startsWith("seg_"))).toEqual(["seg_00001.m4s", "seg_00002.m4s", "seg_00003.m4s", "seg_00004.m4s", "seg_00005.m4s"]);
    expect(all.playlist).toContain("#EXT-X-ENDLIST");
  });
});

describe("chunked master", () => {
  it("has an AUDIO group, referenced by every variant, exactly when the video has audio", () => {
    const withAudio = chunkPlan(RATES["30"]!, 12);
    const measured = assemble(withAudio.stored, []).measured;
    const text = renderChunkedMaster(withAudio.stored, measured, "provisional");
    expect(text).toContain('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/playlist.m3u8"');
    const variants = parseMasterPlaylist(text);
    expect(variants.map((v) => v.uri)).toEqual(["480p/playlist.m3u8", "720p/playlist.m3u8", "360p/playlist.m3u8", "240p/playlist.m3u8"]);
    for (const v of variants) {
      expect(v.attributes.AUDIO).toBe("audio");
      expect(v.attributes.CODECS).toMatch(/,mp4a\.40\.2$/);
    }

    const silent = chunkPlan(RATES["30"]!, 12, { hasAudio: false });
    const quiet = renderChunkedMaster(silent.stored, measured, "provisional");
    expect(quiet).not.toContain("#EXT-X-MEDIA");
    for (const v of parseMasterPlaylist(quiet)) {
      expect(v.attributes.AUDIO).toBeUndefined();
      expect(v.attributes.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
    }
  });

  it("adds the audio rendition's rate to each variant's measured bandwidth", () => {
    const segments = [{ duration: 1, bytes: 1000 }];
    const measured = new Map([["720p", { codecs: "avc1.64001f", segments }]]);
    const peak = (plan: StoredPlan) =>
      Number(parseMasterPlaylist(renderChunkedMaster(plan, measured, "measured")).find((v) => v.uri.startsWith("720p"))!.attributes.BANDWIDTH);
    expect(peak(chunkPlan(RATES["30"]!, 12).stored)).toBe(8000 + 128_000);
    expect(peak(chunkPlan(RATES["30"]!, 12, { hasAudio: false }).stored)).toBe(8000);
  });
});
