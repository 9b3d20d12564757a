// Downloads on the real local stack (issue #15 acceptance: "the downloadable MP4 plays and has
// the source's duration ±0.1 s"): a private clip with sound is uploaded with downloads turned on
// while it transcodes; once ready, the Worker hands the download task to the transcoder, and
// `playback.download` (a signed URL) serves an attachment that ffprobe reads as one H.264 and one
// AAC stream of the source's duration, decoding without errors. Off hides and removes it; on
// again, for a ready video, makes a new one.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";
import { api, signUpCreator, uploadFile, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";

const exec = promisify(execFile);

type Video = { id: string; status: string; playable: boolean; downloadable?: boolean; playback: { hls: string; download: string | null } | null };
type Probe = { streams: { codec_type: string; codec_name: string }[]; format: { duration: string } };

let stack: Stack;
let dir: string;
let creator: Session;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-downloads-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = await recreateDatabase(server, "edge_video_test_downloads");
  stack = await startStack({ stateDir: path.join(dir, "state"), databaseUrl, build: false, sweepIntervalMs: 1000 });
  creator = await signUpCreator(stack.origin, "Download creator");
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const ffprobe = async (file: string) =>
  JSON.parse((await exec("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration", "-of", "json", file])).stdout) as Probe;
const patch = (id: string, body: unknown) => api<Video>(stack.origin, `/api/videos/${id}`, { method: "PATCH", token: creator.token, body: JSON.stringify(body) });

describe("downloads on the local stack", () => {
  it("a downloadable private video gets an MP4 with the source's streams and duration", async () => {
    const clip = await makeClip(path.join(dir, "source.mp4"), { seconds: 7, width: 1280, height: 720 });
    const source = await ffprobe(clip);
    const { videoId, etags } = await uploadFile(creator, new Uint8Array(await readFile(clip)), { title: "Holiday / day 1", visibility: "private" });
    expect((await api(stack.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) })).status).toBe(202);
    // Turned on while it is still on its way: the MP4 is made once the video is ready.
    const on = await patch(videoId, { downloadable: true });
    expect(on.status).toBe(200);
    expect(on.body.downloadable).toBe(true);

    const ready = await waitForVideo<Video>(creator, videoId, (v) => v.status === "ready" && !!v.playback?.download);
    const url = ready.playback!.download!;
    expect(url).toContain("/media/s/"); // signed, like the private video's HLS
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="Holiday day 1\.mp4"/);
    const file = path.join(dir, "download.mp4");
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));

    const probe = await ffprobe(file);
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(["audio:aac", "video:h264"]);
    expect(Math.abs(Number(probe.format.duration) - Number(source.format.duration))).toBeLessThanOrEqual(0.1);
    const decode = await exec("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-f", "null", "-"], { maxBuffer: 16 << 20 });
    expect(decode.stderr.trim()).toBe("");
    const ranged = await fetch(url, { headers: { range: "bytes=0-7" } });
    expect(ranged.status).toBe(206);
    expect(new Uint8Array(await ranged.arrayBuffer()).byteLength).toBe(8);

    // Off: no URL, and the file is gone.
    const off = await patch(videoId, { downloadable: false });
    expect(off.body.playback!.download).toBeNull();
    expect((await fetch(url)).status).toBe(404);

    // On again for a ready video: a new MP4 under a new name.
    await patch(videoId, { downloadable: true });
    const again = await waitForVideo<Video>(creator, videoId, (v) => !!v.playback?.download);
    expect(new URL(again.playback!.download!).pathname).not.toBe(new URL(url).pathname);
    const second = await fetch(again.playback!.download!);
    expect(second.status).toBe(200);
    expect((await second.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  });
});
