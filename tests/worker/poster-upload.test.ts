// PUT /api/videos/:id/poster with an image body (API.md "Playback extras"): JPEG, PNG and WebP are
// decoded and re-encoded to a JPEG of the generated poster's size under a new key; limits (bytes,
// pixels) and broken files are clear 4xx; only the owner may; and the transcode pipeline, which
// publishes the candidates with its early stills task, never replaces a chosen poster.
// Real Postgres, real local R2, the real wasm codecs inside workerd.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Video } from "#contract/api.ts";
import { mediaKeys } from "#contract/media-layout.ts";
import { POSTER_IMAGE_MAX_BYTES, POSTER_IMAGE_MAX_PIXELS } from "#contract/playback-extras.ts";
import { videos } from "#db/schema.ts";
import { openDatabase, type DatabaseHandle } from "#worker/db/connection.ts";
import { decodeImage } from "#worker/posters/codecs.ts";
import { createApiClient, makeAdmin, type Account } from "../support/api-client.ts";
import { flipPlayable } from "./support/planned-video.ts";
import { testImage, type TestImageType } from "./support/test-images.ts";
import { audioOutcome, callback, chunkOutcome, plannedVideoOf, post } from "./transcode-fixtures.ts";

const api = createApiClient(SELF);
// The suite's PUBLIC_ORIGIN (tests/worker/vitest.config.ts).
const ORIGIN = "http://127.0.0.1:9";
const mime: Record<TestImageType, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

let handle: DatabaseHandle;
let owner: Account;
let others: Record<"viewer" | "otherCreator" | "admin", Account>;

beforeAll(async () => {
  handle = openDatabase(env);
  const [o, viewer, otherCreator, admin] = await Promise.all([api.signUpCreator(), api.signUp(), api.signUpCreator(), api.signUp()]);
  owner = o;
  others = { viewer, otherCreator, admin: await makeAdmin(env, api, admin) };
});
afterAll(async () => {
  await handle.close();
});

const upload = (id: string, body: BodyInit, type = "image/jpeg", who: Account | "anonymous" = owner) =>
  api.request<Video & { detail?: string }>(`/api/videos/${id}/poster`, { method: "PUT", as: who === "anonymous" ? undefined : who, body, headers: { "content-type": type } });
const posterKeyOf = async (id: string) => (await handle.db.select().from(videos).where(eq(videos.id, id)))[0]!.posterKey;
/** A processing video whose plan says the generated poster is 640 × 360 (tests/worker/transcode-fixtures.ts). */
const plannedVideo = () => plannedVideoOf(handle.db, owner.creatorId!);

async function storedPoster(id: string) {
  const key = (await posterKeyOf(id))!;
  const object = (await env.MEDIA.get(key))!;
  return { key, object, bytes: new Uint8Array(await object.arrayBuffer()) };
}

/** Where a JPEG's entropy-coded data starts (its SOS marker). */
function startOfScan(jpeg: Uint8Array): number {
  for (let i = 2; i < jpeg.length - 1; i += 1) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) return i;
  throw new Error("no SOS marker");
}

function pixelAt(image: { data: Uint8ClampedArray; width: number }, x: number, y: number) {
  const at = (y * image.width + x) * 4;
  return [...image.data.slice(at, at + 3)];
}

describe("PUT /api/videos/:id/poster with an image", () => {
  it("JPEG, PNG and WebP become a JPEG of the generated poster's size, under a new key each time", async () => {
    const v = await plannedVideo();
    const seen: string[] = [];
    for (const type of ["jpeg", "png", "webp"] as const) {
      // 4:3 in, cropped from the middle to the poster's 16:9.
      const sent = await testImage(type, 800, 600);
      const res = await upload(v.videoId, sent, mime[type]);
      expect(res.status, type).toBe(200);
      const { key, object, bytes } = await storedPoster(v.videoId);
      expect(key).toMatch(new RegExp(`^${mediaKeys(v.videoId).chosenPosterPrefix}[0-9a-f-]{36}\\.jpg$`));
      expect(seen).not.toContain(key);
      seen.push(key);
      expect(object.httpMetadata?.contentType).toBe("image/jpeg");
      expect([...bytes.slice(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(bytes).not.toEqual(sent);
      const decoded = await decodeImage("jpg", bytes);
      expect([decoded.width, decoded.height], type).toEqual([640, 360]);
      // Red on the left, blue on the right: not mirrored, not squeezed into one colour.
      const [lr, , lb] = pixelAt(decoded, 40, 180);
      const [rr, , rb] = pixelAt(decoded, 600, 180);
      expect(lr! - lb!, type).toBeGreaterThan(100);
      expect(rb! - rr!, type).toBeGreaterThan(100);
    }
    // Only the latest chosen poster is kept.
    for (const key of seen.slice(0, -1)) expect(await env.MEDIA.head(key)).toBeNull();
  });

  it("before the video is probed, the poster keeps the image's aspect at the poster size (longest side 1280)", async () => {
    const [row] = await handle.db.insert(videos).values({ creatorId: owner.creatorId!, title: "no plan yet", status: "uploading" }).returning();
    expect((await upload(row!.id, await testImage("png", 1600, 900), "image/png")).status).toBe(200);
    const decoded = await decodeImage("jpg", (await storedPoster(row!.id)).bytes);
    expect([decoded.width, decoded.height]).toEqual([1280, 720]);
    // A small image is not blown up.
    expect((await upload(row!.id, await testImage("webp", 300, 200), "image/webp")).status).toBe(200);
    const small = await decodeImage("jpg", (await storedPoster(row!.id)).bytes);
    expect([small.width, small.height]).toEqual([300, 200]);
  });

  it("takes an image right at the pixel limit (a 1440p frame); transparent pixels become black", async () => {
    const v = await plannedVideo();
    expect(2560 * 1440).toBe(POSTER_IMAGE_MAX_PIXELS);
    expect((await upload(v.videoId, await testImage("jpeg", 2560, 1440))).status).toBe(200);
    const big = await decodeImage("jpg", (await storedPoster(v.videoId)).bytes);
    expect([big.width, big.height]).toEqual([640, 360]);
    for (const type of ["png", "webp"] as const) {
      expect((await upload(v.videoId, await testImage(type, 640, 360, 0), mime[type])).status, type).toBe(200);
      const decoded = await decodeImage("jpg", (await storedPoster(v.videoId)).bytes);
      expect(Math.max(...pixelAt(decoded, 40, 180)), type).toBeLessThan(30);
      expect(pixelAt(decoded, 600, 180)[2], type).toBeGreaterThan(150);
    }
  });

  it("only the owner may: 401 anonymous, 404 for everyone else (admins too)", async () => {
    const v = await plannedVideo();
    const jpeg = await testImage("jpeg", 64, 36);
    expect((await upload(v.videoId, jpeg, "image/jpeg", "anonymous")).status).toBe(401);
    for (const [name, who] of Object.entries(others)) expect((await upload(v.videoId, jpeg, "image/jpeg", who)).status, name).toBe(404);
    expect(await posterKeyOf(v.videoId)).toBeNull();
    expect((await upload(v.videoId, jpeg)).status).toBe(200);
  });

  it("refuses oversize bodies (413), other types (415), damaged files and too many pixels (422), and keeps the poster", async () => {
    const v = await plannedVideo();
    expect((await upload(v.videoId, await testImage("jpeg", 64, 36))).status).toBe(200);
    const kept = await posterKeyOf(v.videoId);
    const jpeg = await testImage("jpeg", 320, 180);
    const png = await testImage("png", 320, 180);
    // A PNG whose header declares 100000 × 100000 pixels (a few hundred bytes that would decode to 40 GB).
    const bomb = png.slice();
    new DataView(bomb.buffer).setUint32(16, 100_000);
    new DataView(bomb.buffer).setUint32(20, 100_000);
    const cases: [string, BodyInit, string, number, RegExp?][] = [
      ["2 MiB and a byte", new Uint8Array(POSTER_IMAGE_MAX_BYTES + 1), "image/jpeg", 413],
      ["streamed past 2 MiB without a length", new Blob([jpeg, new Uint8Array(POSTER_IMAGE_MAX_BYTES)]).stream(), "image/jpeg", 413],
      ["GIF", "GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif", 415],
      ["SVG", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml", 415],
      ["SVG labelled PNG", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/png", 415],
      ["garbage", crypto.getRandomValues(new Uint8Array(4096)).map((b, i) => (i === 0 ? 0x42 : b)), "image/webp", 415],
      ["empty", new Uint8Array(0), "image/jpeg", 422],
      ["a truncated JPEG", jpeg.slice(0, 40), "image/jpeg", 422],
      ["a JPEG that stops before its scan", jpeg.slice(0, startOfScan(jpeg)), "image/jpeg", 422],
      ["a PNG header with absurd dimensions", bomb, "image/png", 422, /100000 × 100000/],
      ["a real JPEG a row over the pixel limit", await testImage("jpeg", 2560, 1441), "image/jpeg", 422, /pixels/],
      ["a real PNG longer than the side limit", await testImage("png", 8200, 2), "image/png", 422, /pixels/],
    ];
    for (const [name, body, type, status, detail] of cases) {
      const res = await upload(v.videoId, body, type);
      expect(res.status, name).toBe(status);
      expect(res.headers.get("content-type"), name).toMatch(/^application\/problem\+json/);
      if (detail) expect(res.body.detail, name).toMatch(detail);
    }
    expect(await posterKeyOf(v.videoId)).toBe(kept);
    expect(await env.MEDIA.head(kept!)).not.toBeNull();
    // The isolate's codecs still work after all that.
    expect((await upload(v.videoId, png, "image/png")).status).toBe(200);
  });
});

describe("the poster and the transcode pipeline", () => {
  it("candidates come with the stills task, before ready; a chosen poster (uploaded or picked) survives the pipeline", async () => {
    const v = await plannedVideo();
    const keys = mediaKeys(v.videoId);
    await flipPlayable(env, v);
    // Chosen before the stills are out: the stills then add the candidates but leave the poster.
    expect((await upload(v.videoId, await testImage("png", 640, 360), "image/png")).status).toBe(200);
    const uploaded = await posterKeyOf(v.videoId);
    const thumbs = [1, 2, 3, 4].map((n) => keys.thumbnail(n));
    await Promise.all([keys.poster, ...thumbs].map((key) => env.MEDIA.put(key, `still ${key}`)));
    expect((await post(callback(v, "stills", 0, "done", { ok: true, keys: [keys.poster, ...thumbs], renditions: [] }))).status).toBe(204);
    let video = (await api.request<Video>(`/api/videos/${v.videoId}`, { as: owner })).body;
    expect(video.status).toBe("processing");
    expect(video.playback!.thumbnails).toEqual(thumbs.map((key) => `${ORIGIN}/media/${key}`));
    expect(video.playback!.poster).toBe(`${ORIGIN}/media/${uploaded}`);

    // A candidate picked while still processing.
    const picked = await api.request<Video>(`/api/videos/${v.videoId}/poster`, { method: "PUT", as: owner, json: { frame: 2 } });
    expect(picked.status).toBe(200);
    const chosen = (await posterKeyOf(v.videoId))!;
    expect(chosen.startsWith(keys.chosenPosterPrefix)).toBe(true);
    expect(await (await env.MEDIA.get(chosen))!.text()).toBe(`still ${keys.thumbnail(2)}`);
    expect(await env.MEDIA.head(uploaded!)).toBeNull();

    // The rest of the pipeline finishes: ready, with the chosen poster.
    for (const spec of v.chunks.slice(1)) await post(callback(v, "chunk", spec.index, "done", chunkOutcome(v.plan, spec)));
    for (const spec of v.audioChunks.slice(1)) await post(callback(v, "audio", spec.index, "done", audioOutcome(spec)));
    video = (await api.request<Video>(`/api/videos/${v.videoId}`)).body;
    expect(video.status).toBe("ready");
    expect(video.playback!.poster).toBe(`${ORIGIN}/media/${chosen}`);
    const watch = await SELF.fetch(`http://example.com/watch/${v.videoId}`);
    expect(await watch.text()).toContain(`/media/${chosen}`);
  });

  it("without a choice, the generated poster shows from the stills on and stays at ready", async () => {
    const v = await plannedVideo();
    const keys = mediaKeys(v.videoId);
    await flipPlayable(env, v);
    expect((await api.request<Video>(`/api/videos/${v.videoId}`)).body.playback!.poster).toBeNull();
    await post(callback(v, "stills", 0, "done", { ok: true, keys: [keys.poster, keys.thumbnail(1)], renditions: [] }));
    expect((await api.request<Video>(`/api/videos/${v.videoId}`)).body.playback!.poster).toBe(`${ORIGIN}/media/${keys.poster}`);
    for (const spec of v.chunks.slice(1)) await post(callback(v, "chunk", spec.index, "done", chunkOutcome(v.plan, spec)));
    for (const spec of v.audioChunks.slice(1)) await post(callback(v, "audio", spec.index, "done", audioOutcome(spec)));
    expect(await posterKeyOf(v.videoId)).toBe(keys.poster);
  });
});
