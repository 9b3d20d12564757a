// Pure pieces of the transcoder: ladder, levels, keyframe plan, playlists, stills plan,
// signatures, the job contract and probe interpretation. No FFmpeg, no storage.
import { describe, expect, it } from "vitest";
import { signCallback, verifyCallbackSignature } from "../../transcode-container/src/callback-signature.ts";
import { jobRequestSchema } from "../../transcode-container/src/contract.ts";
import { buildLadderArgs, forceKeyFramesExpression, outputLayout } from "../../transcode-container/src/ffmpeg-args.ts";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { h264HighCodecs, pickH264Level } from "../../transcode-container/src/h264-level.ts";
import { planImages, storyboardVtt, usableTileCount } from "../../transcode-container/src/images.ts";
import {
  buildLadder,
  keyframeBoundaries,
  outputFrameRate,
  rationalValue,
  type SourceVideo,
} from "../../transcode-container/src/ladder-profile.ts";
import { parseMasterPlaylist, renderMasterPlaylist } from "../../transcode-container/src/master-playlist.ts";
import { parseMediaPlaylist, renderMediaPlaylist } from "../../transcode-container/src/media-playlist.ts";
import { interpretProbe } from "../../transcode-container/src/probe.ts";

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
    expect(keyframeBoundaries(7)).toEqual([0, 1, 2, 4, 8, 12, 16]);
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

  it("writes WebVTT cues that point into the sprite with relative media fragments", () => {
    const plan = planImages(25, 1280, 720, 30).storyboard;
    const count = usableTileCount(26, plan, 25);
    expect(count).toBe(25);
    const vtt = storyboardVtt(count, plan, 25);
    expect(vtt.startsWith("WEBVTT\n")).toBe(true);
    expect(vtt).toContain("00:00:00.000 --> 00:00:01.000\nstoryboard.jpg#xywh=0,0,160,90");
    expect(vtt).toContain("00:00:11.000 --> 00:00:12.000\nstoryboard.jpg#xywh=160,90,160,90");
    expect(vtt).toContain("00:00:24.000 --> 00:00:25.000\nstoryboard.jpg#xywh=640,180,160,90");
  });
});

describe("callback signatures", () => {
  it("signs t.body with HMAC-SHA256 and verifies within the tolerance", async () => {
    const body = JSON.stringify({ event: "ready" });
    const header = await signCallback("secret", body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(await verifyCallbackSignature("secret", header, body, { now: 1_700_000_100 })).toBe(true);
    expect(await verifyCallbackSignature("other", header, body, { now: 1_700_000_100 })).toBe(false);
    expect(await verifyCallbackSignature("secret", header, `${body} `, { now: 1_700_000_100 })).toBe(false);
    expect(await verifyCallbackSignature("secret", header, body, { now: 1_700_001_000 })).toBe(false);
  });
});

describe("job contract", () => {
  const videoId = "0b6f5a8e-7a61-4c4f-9a57-2f1c8e4f6a11";
  const valid = {
    jobId: "5d0c1a62-3b0e-4f58-9d1e-6f3e1b2a9c77",
    videoId,
    attempt: 1,
    source: { url: "https://account.r2.cloudflarestorage.com/media/uploads/x/source?X-Amz-Signature=abc" },
    output: { prefix: `videos/${videoId}/` },
    callback: { url: "http://127.0.0.1:8787/internal/transcoder/callback" },
  };

  it("accepts a well-formed job and rejects the rest with paths", () => {
    expect(jobRequestSchema.safeParse(valid).success).toBe(true);
    const paths = (value: unknown) =>
      (jobRequestSchema.safeParse(value).error?.issues ?? []).map((i) => i.path.join("."));
    expect(paths({ ...valid, attempt: 0 })).toEqual(["attempt"]);
    expect(paths({ ...valid, source: { url: "file:///etc/passwd" } })).toEqual(["source.url"]);
    expect(paths({ ...valid, output: { prefix: "videos/other/" } })).toEqual(["output.prefix"]);
    expect(paths({ ...valid, jobId: "nope" })).toEqual(["jobId"]);
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
