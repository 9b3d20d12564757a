// Pure checks of the transcoder's hardening: input format allow-list, run limits, source and
// callback policy, request signatures and log redaction. No FFmpeg, no storage.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../transcode-container/src/config.ts";
import { JobFailure } from "../../transcode-container/src/failures.ts";
import { HttpProblem } from "../../transcode-container/src/http-util.ts";
import { inputDurationOptions, overBudget, RUN_LIMITS, wallClockBudgetMs } from "../../transcode-container/src/limits.ts";
import { formatLogLine, REDACTED, redactUrls } from "../../transcode-container/src/log.ts";
import {
  ACCEPTED_INPUT_FORMATS,
  formatRefusedInStderr,
  interpretProbe,
  isAcceptedInputFormat,
  PLAYLIST_REASON,
  refusedFormatFailure,
  sourceInputOptions,
} from "../../transcode-container/src/probe.ts";
import {
  REQUEST_SIGNATURE_HEADER,
  signedTranscoderInit,
  signTranscoderRequest,
  verifyTranscoderRequest,
} from "../../transcode-container/src/request-auth.ts";
import {
  assertAllowedCallback,
  assertAllowedJob,
  assertAllowedSource,
  checkCallback,
  checkSource,
  sourcePrefix,
} from "../../transcode-container/src/source-policy.ts";

const presigned =
  "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/uploads/0b9e1c9e-4c39-4a55-9d0e-2b1f1c7e6a11/source" +
  "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=devaccesskey0000%2F20250101%2Fauto%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=0123456789abcdef&X-Amz-SignedHeaders=host";

describe("input format allow-list", () => {
  it("passes one list to FFmpeg and FFprobe next to the protocol allow-list", () => {
    const options = sourceInputOptions();
    const at = (name: string) => options[options.indexOf(name) + 1];
    expect(at("-protocol_whitelist")).toBe("http,https,tcp,tls");
    expect(at("-format_whitelist")?.split(",")).toEqual([...ACCEPTED_INPUT_FORMATS]);
    for (const playlist of ["hls", "dash", "concat", "imf", "sdp", "rtsp", "image2", "tty", "lavfi"]) {
      expect(ACCEPTED_INPUT_FORMATS as readonly string[]).not.toContain(playlist);
    }
  });

  it("matches FFmpeg's comma-separated demuxer names component by component", () => {
    expect(isAcceptedInputFormat("mov,mp4,m4a,3gp,3g2,mj2")).toBe(true);
    expect(isAcceptedInputFormat("matroska,webm")).toBe(true);
    expect(isAcceptedInputFormat("mpegts")).toBe(true);
    expect(isAcceptedInputFormat("mpeg")).toBe(true);
    expect(isAcceptedInputFormat("mpegvideo")).toBe(false);
    expect(isAcceptedInputFormat("webm_dash_manifest")).toBe(false);
    expect(isAcceptedInputFormat("hls")).toBe(false);
    expect(isAcceptedInputFormat("")).toBe(false);
  });

  it("reads which demuxer FFmpeg refused from its stderr and says why in plain words", () => {
    const stderr = "[hls @ 0x5566778899aa] Format not on whitelist 'mov,matroska'\nhttp://x/source?sig=1: Invalid argument\n";
    expect(formatRefusedInStderr(stderr)).toBe("hls");
    expect(formatRefusedInStderr("[concat @ 0x1] Format not on whitelist 'mov'")).toBe("concat");
    expect(formatRefusedInStderr("moov atom not found")).toBeNull();
    const playlist = refusedFormatFailure("hls");
    expect([playlist.code, playlist.reason]).toEqual(["not_media", PLAYLIST_REASON]);
    const other = refusedFormatFailure("tty");
    expect([other.code, other.reason]).toEqual(["not_media", "This file is not a video or audio file we can read"]);
  });

  it("refuses a probe result whose format is not on the list", () => {
    const stream = { codec_type: "video", codec_name: "h264", width: 640, height: 360, avg_frame_rate: "30/1" };
    const failure = (() => {
      try {
        interpretProbe({ streams: [stream], format: { format_name: "hls", duration: "10" } }, 21600);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(failure).toBeInstanceOf(JobFailure);
    expect((failure as JobFailure).reason).toBe(PLAYLIST_REASON);
    expect(interpretProbe({ streams: [stream], format: { format_name: "matroska,webm", duration: "10" } }, 21600).width).toBe(640);
  });
});

describe("run limits", () => {
  it("gives an input -t for the planned duration plus a margin", () => {
    expect(inputDurationOptions(10)).toEqual(["-t", (10 + RUN_LIMITS.inputMarginSeconds).toFixed(6)]);
    expect(inputDurationOptions(4.004, 0)).toEqual(["-t", "4.004000"]);
    expect(inputDurationOptions(2, 0.25)).toEqual(["-t", "2.250000"]);
    expect(() => inputDurationOptions(0)).toThrow(RangeError);
    expect(() => inputDurationOptions(Number.NaN)).toThrow(RangeError);
    expect(() => inputDurationOptions(5, -1)).toThrow(RangeError);
  });

  it("budgets 60 s plus 10x the media duration of wall-clock time", () => {
    expect(wallClockBudgetMs(1)).toBe(70_000);
    expect(wallClockBudgetMs(4.5)).toBe(105_000);
    expect(wallClockBudgetMs(600)).toBe(6_060_000);
    expect(() => wallClockBudgetMs(-1)).toThrow(RangeError);
    expect(overBudget(1_000, 70_000, 70_999)).toBe(false);
    expect(overBudget(1_000, 70_000, 71_000)).toBe(true);
  });
});

describe("source and callback policy", () => {
  const config = {
    s3: { endpoint: "http://127.0.0.1:8787/cdn-cgi/local/r2/s3", bucket: "edge-video-media" },
    callbackOrigin: "http://127.0.0.1:8787",
  };

  it("accepts presigned objects in our bucket on the storage endpoint", () => {
    expect(sourcePrefix(config.s3)).toBe("http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/");
    expect(sourcePrefix({ endpoint: "https://acct.r2.cloudflarestorage.com/", bucket: "b" })).toBe(
      "https://acct.r2.cloudflarestorage.com/b/",
    );
    expect(checkSource(config, presigned)).toEqual({ ok: true });
    expect(() => assertAllowedSource(config, presigned)).not.toThrow();
  });

  it("refuses other hosts, ports, schemes, buckets and tricks that parse differently", () => {
    const refused = [
      "http://127.0.0.1:8788/cdn-cgi/local/r2/s3/edge-video-media/x", // port
      "https://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/x", // scheme
      "http://localhost:8787/cdn-cgi/local/r2/s3/edge-video-media/x", // host spelling
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/other-bucket/x", // bucket
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media-2/x", // bucket prefix
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/", // the bucket itself
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/../other/x", // dot segments
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/%2e%2e/other/x",
      "http://127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/x\\@evil.example/", // backslash
      "http://127.0.0.1:8787@evil.example/cdn-cgi/local/r2/s3/edge-video-media/x", // userinfo
      "http://user:pw@127.0.0.1:8787/cdn-cgi/local/r2/s3/edge-video-media/x",
      "http://169.254.169.254/latest/meta-data/",
      "file:///etc/passwd",
      "not a url",
    ];
    for (const url of refused) expect(checkSource(config, url).ok, url).toBe(false);
  });

  it("throws a 400 problem naming the field", () => {
    let problem: unknown;
    try {
      assertAllowedSource(config, "http://evil.example/x");
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(HttpProblem);
    expect((problem as HttpProblem).status).toBe(400);
    expect((problem as HttpProblem).errors?.map((e) => e.path)).toEqual(["source.url"]);
  });

  it("keeps callbacks under CALLBACK_ORIGIN when it is set, and allows any http(s) when not", () => {
    const callback = "http://127.0.0.1:8787/api/internal/transcode/callback";
    expect(checkCallback(config, callback)).toEqual({ ok: true });
    expect(checkCallback(config, "http://127.0.0.1:9999/api/internal/transcode/callback").ok).toBe(false);
    expect(checkCallback(config, "http://127.0.0.1:8787.evil.example/x").ok).toBe(false);
    expect(checkCallback({ callbackOrigin: "https://app.example/api/" }, "https://app.example/api/internal/x").ok).toBe(true);
    expect(checkCallback({ callbackOrigin: "https://app.example/api/" }, "https://app.example/other").ok).toBe(false);
    expect(checkCallback({ callbackOrigin: null }, "http://anywhere.example/cb").ok).toBe(true);
    expect(() => assertAllowedCallback(config, "http://evil.example/cb")).toThrow(HttpProblem);
  });

  it("reports source and callback problems together for a job", () => {
    let problem: HttpProblem | null = null;
    try {
      assertAllowedJob(config, { source: { url: "http://evil.example/a" }, callback: { url: "http://evil.example/b" } });
    } catch (error) {
      problem = error as HttpProblem;
    }
    expect(problem?.errors?.map((e) => e.path)).toEqual(["source.url", "callback.url"]);
    expect(() => assertAllowedJob(config, { source: { url: presigned } })).not.toThrow();
  });

  it("reads CALLBACK_ORIGIN from the environment, optional", () => {
    const env = {
      S3_ENDPOINT: "http://127.0.0.1:8787/s3",
      S3_BUCKET: "b",
      S3_ACCESS_KEY_ID: "k",
      S3_SECRET_ACCESS_KEY: "s",
      CALLBACK_SECRET: "c",
    };
    expect(loadConfig(env).callbackOrigin).toBeNull();
    expect(loadConfig({ ...env, CALLBACK_ORIGIN: "" }).callbackOrigin).toBeNull();
    expect(loadConfig({ ...env, CALLBACK_ORIGIN: "https://app.example" }).callbackOrigin).toBe("https://app.example");
    expect(() => loadConfig({ ...env, CALLBACK_ORIGIN: "ftp://app.example" })).toThrow(/CALLBACK_ORIGIN/);
  });
});

describe("request signatures", () => {
  const secret = "request-secret";

  it("signs method, path and body; any change or an old timestamp fails", async () => {
    const now = 1_750_000_000;
    const header = await signTranscoderRequest(secret, "POST", "/probe", '{"a":1}', now);
    expect(header).toMatch(/^t=1750000000,sha256=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await verifyTranscoderRequest(secret, "POST", "/probe", header, '{"a":1}', { now })).toBe(true);
    expect(await verifyTranscoderRequest(secret, "post", "/probe", header, '{"a":1}', { now })).toBe(true);
    expect(await verifyTranscoderRequest(secret, "POST", "/probe", header, '{"a":2}', { now })).toBe(false);
    expect(await verifyTranscoderRequest(secret, "POST", "/tasks/chunk", header, '{"a":1}', { now })).toBe(false);
    expect(await verifyTranscoderRequest(secret, "PUT", "/probe", header, '{"a":1}', { now })).toBe(false);
    expect(await verifyTranscoderRequest("other", "POST", "/probe", header, '{"a":1}', { now })).toBe(false);
    expect(await verifyTranscoderRequest(secret, "POST", "/probe", header, '{"a":1}', { now: now + 301 })).toBe(false);
    expect(await verifyTranscoderRequest(secret, "POST", "/probe", undefined, '{"a":1}', { now })).toBe(false);
  });

  it("builds a fetch init the transcoder accepts", async () => {
    const init = await signedTranscoderInit(secret, "POST", "/tasks/chunk", "{}");
    const headers = init.headers as Record<string, string>;
    expect(init).toMatchObject({ method: "POST", body: "{}" });
    expect(headers["content-type"]).toBe("application/json");
    expect(await verifyTranscoderRequest(secret, "POST", "/tasks/chunk", headers[REQUEST_SIGNATURE_HEADER], "{}")).toBe(true);
    const get = await signedTranscoderInit(secret, "GET", "/x", "");
    expect(get.body).toBeUndefined();
  });
});

describe("log redaction", () => {
  it("strips query strings from every http(s) URL, wherever it is in the text", () => {
    expect(redactUrls(presigned)).toBe(`${presigned.split("?")[0]}?${REDACTED}`);
    const stderr = `[http @ 0x1] HTTP error 403 Forbidden\n${presigned}: Server returned 403 Forbidden (access denied)`;
    expect(redactUrls(stderr)).toBe(
      `[http @ 0x1] HTTP error 403 Forbidden\n${presigned.split("?")[0]}?${REDACTED} Server returned 403 Forbidden (access denied)`,
    );
    expect(redactUrls("see https://example.com/a/b and HTTPS://EXAMPLE.COM/x?y=1#z")).toBe(
      `see https://example.com/a/b and HTTPS://EXAMPLE.COM/x?${REDACTED}`,
    );
    expect(redactUrls("echoed X-Amz-Signature=abc&X-Amz-Credential=key%2Fdate")).toBe(
      `echoed X-Amz-Signature=${REDACTED}&X-Amz-Credential=${REDACTED}`,
    );
    expect(redactUrls("no urls here: 1920x1080")).toBe("no urls here: 1920x1080");
  });

  it("covers the message and every field at any depth, including URL objects and errors as text", () => {
    const line = formatLogLine("warn", `probing ${presigned}`, {
      url: presigned,
      nested: { list: [presigned, 3, null], source: new URL(presigned) },
      error: String(new JobFailure("source_unavailable", undefined, `${presigned}: Server returned 404 Not Found`)),
      stderr: `${presigned}: Invalid data found when processing input\n`,
    });
    expect(line).not.toContain("X-Amz");
    expect(line).not.toContain("0123456789abcdef");
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: "warn", url: `${presigned.split("?")[0]}?${REDACTED}` });
    expect(String(parsed.error)).toContain("Server returned 404 Not Found");
  });
});
