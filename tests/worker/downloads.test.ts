// Downloads (API.md "Playback extras": PATCH /api/videos/:id { downloadable }): who may turn
// them on, bad bodies, the download task a ready video gets (from the PATCH, or when a
// downloadable video becomes ready), `playback.download` once its task reports the MP4 (signed
// for private videos), the /media answer (attachment named after the title, Range), and turning
// downloads off (URL gone, file and task removed, a late report deleted). Real Postgres and
// local R2 inside workerd; task outcomes arrive as the transcoder's signed callbacks.
import { env, SELF } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Video } from "#contract/api.ts";
import { downloadDisposition, mediaKeys } from "#contract/media-layout.ts";
import { transcodeTasks, videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import type { DownloadSpec, TaskOutcome } from "#transcoder/chunks/task-contract.ts";
import { createApiClient, makeAdmin, type Account } from "../support/api-client.ts";
import { audioOutcome, callback, chunkOutcome, plannedVideoOf, post } from "./transcode-fixtures.ts";

const api = createApiClient(SELF);
let handle: DatabaseHandle;
let owner: Account;
let viewer: Account;
let otherCreator: Account;
let admin: Account;

beforeAll(async () => {
  handle = openDatabase(env);
  [owner, viewer, otherCreator] = await Promise.all([api.signUpCreator("Download Owner"), api.signUp(), api.signUpCreator()]);
  admin = await makeAdmin(env, api, await api.signUp());
});
afterAll(async () => {
  await handle.close();
});

const TITLE = `Road trip: "day 1" / día <2>`;

/** A ready video of the owner's (plan, job, master) as the pipeline leaves it. */
async function readyVideo(visibility: "public" | "unlisted" | "private" = "public") {
  const v = await plannedVideoOf(handle.db, owner.creatorId!, visibility);
  const keys = mediaKeys(v.videoId);
  await handle.db
    .update(videos)
    .set({ title: TITLE, status: "ready", playable: true, progress: 100, durationSeconds: 30, masterKey: keys.master, publishedAt: new Date(), readyAt: new Date() })
    .where(eq(videos.id, v.videoId));
  return v;
}

const downloadTask = async (videoId: string) =>
  (await handle.db.select().from(transcodeTasks).where(and(eq(transcodeTasks.videoId, videoId), eq(transcodeTasks.kind, "download"))))[0];
const patch = (videoId: string, json: unknown, as?: Account) => api.request<Video & { errors?: { path: string }[] }>(`/api/videos/${videoId}`, { method: "PATCH", json, as });
const getVideo = (videoId: string, as?: Account) => api.request<Video>(`/api/videos/${videoId}`, { as });
/** Our media URLs carry PUBLIC_ORIGIN; fetch them through the Worker under test. */
const media = (url: string, init?: RequestInit) => {
  const u = new URL(url);
  return SELF.fetch(`http://example.com${u.pathname}${u.search}`, init);
};

/** The transcoder's report that the download task wrote its MP4 (the bytes put first, as it would). */
async function reportDownload(v: { videoId: string; jobId: string }, bytes = "mp4 bytes 0123456789") {
  const spec = (await downloadTask(v.videoId))!.spec as DownloadSpec;
  const key = mediaKeys(v.videoId).download(spec.token);
  await env.MEDIA.put(key, bytes);
  const outcome: TaskOutcome = { ok: true, renditions: [], keys: [key] };
  return { key, res: await post(callback(v, "download", 0, "done", outcome)) };
}

describe("PATCH /api/videos/:id { downloadable }", () => {
  it("only the owner may change it: anonymous 401, other users and admins 404", async () => {
    const v = await readyVideo();
    expect((await patch(v.videoId, { downloadable: true })).status).toBe(401);
    for (const who of [viewer, otherCreator, admin]) expect((await patch(v.videoId, { downloadable: true }, who)).status).toBe(404);
    expect((await handle.db.select({ d: videos.downloadable }).from(videos).where(eq(videos.id, v.videoId)))[0]!.d).toBe(false);
    expect(await downloadTask(v.videoId)).toBeUndefined();
    const mine = await patch(v.videoId, { downloadable: true }, owner);
    expect(mine.status).toBe(200);
    expect(mine.body.downloadable).toBe(true);
  });

  it("bad bodies are a 400 naming the field (the error model: a malformed body is 400, API.md)", async () => {
    const v = await readyVideo();
    for (const body of [{ downloadable: "yes" }, { downloadable: 1 }, { downloadable: null }, { downloadable: {} }, { downloadable: [true] }]) {
      const res = await patch(v.videoId, body, owner);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors?.map((e) => e.path), JSON.stringify(body)).toContain("downloadable");
    }
    expect((await patch(v.videoId, { downloadable: true, download: true }, owner)).status).toBe(400);
    expect(await downloadTask(v.videoId)).toBeUndefined();
  });

  it("`downloadable` is shown to the owner only; `playback.download` is null until the MP4 is made", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const mine = await getVideo(v.videoId, owner);
    expect(mine.body.downloadable).toBe(true);
    expect(mine.body.playback!.download).toBeNull();
    for (const who of [undefined, viewer, admin]) {
      const seen = await getVideo(v.videoId, who);
      expect(seen.body.downloadable).toBeUndefined();
      expect(seen.body.playback!.download).toBeNull();
    }
  });
});

describe("the download task", () => {
  it("turning downloads on queues one task for the ready video (top rung, audio, duration); again is a no-op", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const task = (await downloadTask(v.videoId))!;
    expect(task.jobId).toBe(v.jobId);
    expect(task.state).not.toBe("done");
    const spec = task.spec as DownloadSpec;
    expect(spec).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}$/), rendition: v.plan.ladder.rungs[0]!.name, hasAudio: true, durationSeconds: 30 });
    await patch(v.videoId, { downloadable: true }, owner);
    expect(((await downloadTask(v.videoId))!.spec as DownloadSpec).token).toBe(spec.token);
  });

  it("a downloadable video gets its task when it becomes ready, not before", async () => {
    const v = await plannedVideoOf(handle.db, owner.creatorId!);
    await handle.db.update(videos).set({ downloadable: true }).where(eq(videos.id, v.videoId));
    expect((await patch(v.videoId, { downloadable: true }, owner)).status).toBe(200); // processing: nothing to make yet
    expect(await downloadTask(v.videoId)).toBeUndefined();
    const keys = mediaKeys(v.videoId);
    for (const spec of v.chunks) await post(callback(v, "chunk", spec.index, "done", chunkOutcome(v.plan, spec)));
    for (const spec of v.audioChunks) await post(callback(v, "audio", spec.index, "done", audioOutcome(spec)));
    expect(await downloadTask(v.videoId)).toBeUndefined();
    await post(callback(v, "stills", 0, "done", { ok: true, keys: [keys.poster, keys.thumbnail(1)], renditions: [] }));
    expect((await handle.db.select({ status: videos.status }).from(videos).where(eq(videos.id, v.videoId)))[0]!.status).toBe("ready");
    const task = await downloadTask(v.videoId);
    expect(task?.jobId).toBe(v.jobId);
  });

  it("its report publishes `playback.download`: an attachment named after the title, with Range", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const { key, res } = await reportDownload(v);
    expect(res.status).toBe(204);
    const seen = await getVideo(v.videoId, viewer);
    const url = seen.body.playback!.download!;
    expect(url).toMatch(new RegExp(`/media/videos/${v.videoId}/download/[0-9a-f]{32}\\.mp4\\?name=`));
    expect(new URL(url).searchParams.get("name")).toBe(TITLE);

    const whole = await media(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(whole.headers.get("content-disposition")).toBe(downloadDisposition(TITLE));
    expect(whole.headers.get("content-disposition")).toBe(`attachment; filename="Road trip day 1 dia 2.mp4"; filename*=UTF-8''Road%20trip%20day%201%20d%C3%ADa%202.mp4`);
    expect(await whole.text()).toBe("mp4 bytes 0123456789");
    const part = await media(url, { headers: { range: "bytes=4-8" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 4-8/20");
    expect(part.headers.get("content-disposition")).toMatch(/^attachment; filename="/);
    expect(await part.text()).toBe("bytes");
    // Whatever the name in the URL, the header is one clean line (no 5xx, no injected header).
    const path = new URL(url).pathname;
    for (const name of ["%0D%0Aset-cookie:%20x=1", "%ED%A0%80", "%", "%22%3B%20filename%3D%22evil.exe", "..%2F..%2Fetc", "x".repeat(5000), "%F0%9F%8E%A5"]) {
      const res = await media(`http://x${path}?name=${name}`);
      expect(res.status, name).toBe(200);
      const header = res.headers.get("content-disposition")!;
      expect(header, name).toMatch(/^attachment; filename="[\x20-\x7e]*\.mp4"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+\.mp4$/);
      expect(res.headers.get("set-cookie"), name).toBeNull();
      await res.body?.cancel();
    }
    expect((await media(`http://x${path}`)).headers.get("content-disposition")).toBe(`attachment; filename="video.mp4"; filename*=UTF-8''video.mp4`);
    // Other media keeps playing inline.
    await env.MEDIA.put(mediaKeys(v.videoId).poster, "jpeg");
    expect((await media(`http://x${new URL(url).pathname.replace(/download\/.*$/, "poster.jpg")}`)).headers.get("content-disposition")).toBeNull();
    expect(await env.MEDIA.head(key)).not.toBeNull();
  });

  it("a private video's download URL is signed like its HLS; unsigned it is refused", async () => {
    const v = await readyVideo("private");
    await env.MEDIA.put(mediaKeys(v.videoId).privateMarker, "");
    await patch(v.videoId, { downloadable: true }, owner);
    const { key } = await reportDownload(v);
    const mine = await getVideo(v.videoId, owner);
    const url = mine.body.playback!.download!;
    expect(url).toContain("/media/s/");
    expect(new URL(url).pathname.split("/media/s/")[1]!.split("/")[0]).toBe(new URL(mine.body.playback!.hls).pathname.split("/media/s/")[1]!.split("/")[0]);
    expect((await media(url)).status).toBe(200);
    expect((await media(`http://x/media/${key}`)).status).toBe(404);
  });

  it("turning downloads off hides the URL and removes the file and the task; on again makes a new one", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const { key } = await reportDownload(v);
    const off = await patch(v.videoId, { downloadable: false }, owner);
    expect(off.status).toBe(200);
    expect(off.body.downloadable).toBe(false);
    expect(off.body.playback!.download).toBeNull();
    expect(await env.MEDIA.head(key)).toBeNull();
    expect(await downloadTask(v.videoId)).toBeUndefined();

    await patch(v.videoId, { downloadable: true }, owner);
    const again = (await downloadTask(v.videoId))!;
    expect(again.state).not.toBe("done");
    expect(mediaKeys(v.videoId).download((again.spec as DownloadSpec).token)).not.toBe(key);
  });

  it("a task that reports after downloads were turned off is told to stop and its file deleted", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const spec = (await downloadTask(v.videoId))!.spec as DownloadSpec;
    await patch(v.videoId, { downloadable: false }, owner);
    const key = mediaKeys(v.videoId).download(spec.token);
    await env.MEDIA.put(key, "late bytes");
    const res = await post(callback(v, "download", 0, "done", { ok: true, renditions: [], keys: [key] }));
    expect(res.status).toBe(410);
    expect(await env.MEDIA.head(key)).toBeNull();
    expect((await getVideo(v.videoId, owner)).body.playback!.download).toBeNull();
  });

  it("a download that fails for good drops only its task: the video stays ready", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const res = await post(callback(v, "download", 0, "done", { ok: false, failure: { code: "corrupt", reason: "bad" } }));
    expect(res.status).toBe(204);
    expect(await downloadTask(v.videoId)).toBeUndefined();
    const after = await getVideo(v.videoId, owner);
    expect(after.body.status).toBe("ready");
    expect(after.body.downloadable).toBe(true);
    expect(after.body.playback!.download).toBeNull();
    // Asking again (on while on) queues it again.
    await patch(v.videoId, { downloadable: true }, owner);
    expect(await downloadTask(v.videoId)).toBeDefined();
  });

  it("deleting the video removes its MP4", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const { key } = await reportDownload(v);
    expect((await api.request(`/api/videos/${v.videoId}`, { method: "DELETE", as: owner })).status).toBe(204);
    expect(await env.MEDIA.head(key)).toBeNull();
  });
});

describe("downloads turned off and on while a task runs", () => {
  it("a report whose file was deleted by the turn-off in between queues the MP4 again instead of publishing a missing file", async () => {
    const v = await readyVideo();
    await patch(v.videoId, { downloadable: true }, owner);
    const first = ((await downloadTask(v.videoId))!.spec as DownloadSpec).token;
    await patch(v.videoId, { downloadable: false }, owner);
    await patch(v.videoId, { downloadable: true }, owner);
    const second = ((await downloadTask(v.videoId))!.spec as DownloadSpec).token;
    expect(second).not.toBe(first);
    // The first task (same job, same row) reports a file the turn-off already deleted.
    const res = await post(callback(v, "download", 0, "done", { ok: true, renditions: [], keys: [mediaKeys(v.videoId).download(first)] }));
    expect(res.status).toBe(204);
    expect((await getVideo(v.videoId, owner)).body.playback!.download).toBeNull();
    const again = (await downloadTask(v.videoId))!;
    expect(again.state).not.toBe("done");
    expect((again.spec as DownloadSpec).token).not.toBe(first);
  });
});
