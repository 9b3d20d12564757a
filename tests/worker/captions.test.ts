// Captions (API.md "Playback extras"): the authorisation table, WebVTT/SRT in and sanitised
// WebVTT out, hostile files (never a 5xx), replace/delete, and the master playlist's SUBTITLES
// group as the /media route serves it (ETag and Cache-Control follow caption changes). Real
// Postgres, real local R2 inside workerd.
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Caption } from "#contract/captions.ts";
import { CAPTION_MAX_BYTES, CAPTION_MAX_CUES } from "#contract/limits.ts";
import { captionsPrefix, mediaKeys } from "#contract/media-layout.ts";
import { videos } from "#db/schema.ts";
import { sanitiseCueText } from "#worker/captions/cue-text.ts";
import { addSubtitlesGroup } from "#worker/captions/hls.ts";
import { parseCaptions, serialiseWebVtt } from "#worker/captions/webvtt.ts";
import { createApiClient, makeAdmin, withDb, type Account, type Problem, type RequestOptions } from "../support/api-client.ts";

const api = createApiClient(SELF);

const MASTER = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  "#EXT-X-INDEPENDENT-SEGMENTS",
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/playlist.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO="audio"',
  "360p/playlist.m3u8",
  '#EXT-X-STREAM-INF:BANDWIDTH=400000,AVERAGE-BANDWIDTH=350000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000,AUDIO="audio"',
  "240p/playlist.m3u8",
  "",
].join("\n");

const VTT = "WEBVTT\n\n00:00.500 --> 00:02.000\nHello <b>world</b>\n\n00:02.000 --> 00:03.500 align:start bogus:1\n<v Ann>Second</v> line\n";
const SRT = "1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color=\"red\">Red</font> <i>text</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTwo\r\nlines\r\n";

async function seedVideo(creatorId: string, opts: { visibility?: "public" | "unlisted" | "private"; status?: "uploading" | "processing" | "ready" } = {}) {
  const status = opts.status ?? "ready";
  const id = await withDb(env, async (db) => {
    const [row] = await db
      .insert(videos)
      .values({
        creatorId,
        title: "Captioned",
        visibility: opts.visibility ?? "public",
        status,
        playable: status !== "uploading",
        progress: status === "ready" ? 100 : 10,
        durationSeconds: status === "ready" ? 10 : null,
        publishedAt: new Date(),
        masterKey: "",
      })
      .returning();
    return row!.id;
  });
  const keys = mediaKeys(id);
  await withDb(env, (db) => db.update(videos).set({ masterKey: keys.master }).where(eq(videos.id, id)));
  await env.MEDIA.put(keys.master, MASTER);
  if (opts.visibility === "private") await env.MEDIA.put(keys.privateMarker, "");
  return id;
}

const put = (videoId: string, lang: string, body: BodyInit, as: Account | undefined, query = "", extra: RequestOptions = {}) =>
  api.request<Caption & Problem>(`/api/videos/${videoId}/captions/${lang}${query}`, { method: "PUT", body, headers: { "content-type": "text/vtt" }, as, ...extra });
const list = (videoId: string, as?: Account) => api.request<Caption[]>(`/api/videos/${videoId}/captions`, { as });
const media = (url: string, headers: Record<string, string> = {}) => SELF.fetch(url.replace(/^https?:\/\/[^/]+/, "http://example.com"), { headers });
const master = (videoId: string, headers: Record<string, string> = {}) => SELF.fetch(`http://example.com/media/videos/${videoId}/master.m3u8`, { headers });

type Actor = "anonymous" | "viewer" | "otherCreator" | "owner" | "admin";
const actorNames: Actor[] = ["anonymous", "viewer", "otherCreator", "owner", "admin"];
type Actors = Record<Exclude<Actor, "anonymous">, Account>;
let actors: Actors;

beforeAll(async () => {
  const [viewer, otherCreator, owner, adminViewer] = await Promise.all([api.signUp(), api.signUpCreator(), api.signUpCreator(), api.signUp()]);
  actors = { viewer, otherCreator, owner, admin: await makeAdmin(env, api, adminViewer) };
});

describe("authorisation table", () => {
  const rows: { route: string; visibility?: "private"; seeded?: boolean; request: (id: string) => [string, RequestOptions]; expected: Record<Actor, number> }[] = [
    {
      route: "GET /api/videos/:id/captions (public video)",
      seeded: true,
      request: (id) => [`/api/videos/${id}/captions`, {}],
      expected: { anonymous: 200, viewer: 200, otherCreator: 200, owner: 200, admin: 200 },
    },
    {
      route: "GET /api/videos/:id/captions (private video)",
      visibility: "private",
      seeded: true,
      request: (id) => [`/api/videos/${id}/captions`, {}],
      expected: { anonymous: 404, viewer: 404, otherCreator: 404, owner: 200, admin: 200 },
    },
    {
      route: "PUT /api/videos/:id/captions/:lang",
      request: (id) => [`/api/videos/${id}/captions/en?label=English`, { method: "PUT", body: VTT }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 201, admin: 404 },
    },
    {
      route: "PUT /api/videos/:id/captions/:lang (private video)",
      visibility: "private",
      request: (id) => [`/api/videos/${id}/captions/en`, { method: "PUT", body: VTT }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 201, admin: 404 },
    },
    {
      route: "DELETE /api/videos/:id/captions/:lang",
      seeded: true,
      request: (id) => [`/api/videos/${id}/captions/en`, { method: "DELETE" }],
      expected: { anonymous: 401, viewer: 404, otherCreator: 404, owner: 204, admin: 204 },
    },
  ];

  for (const row of rows) {
    it(row.route, async () => {
      const got: Record<string, number> = {};
      for (const actor of actorNames) {
        const id = await seedVideo(actors.owner.creatorId!, { visibility: row.visibility });
        if (row.seeded) expect((await put(id, "en", VTT, actors.owner)).status).toBe(201);
        const [path, options] = row.request(id);
        const res = await api.request(path, { ...options, as: actor === "anonymous" ? undefined : actors[actor] });
        got[actor] = res.status;
        if (res.status >= 400) expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        const after = await list(id, actors.owner);
        if (row.route.startsWith("PUT")) expect(after.body.length, actor).toBe(res.status === 201 ? 1 : 0);
        if (row.route.startsWith("DELETE")) expect(after.body.length, actor).toBe(res.status === 204 ? 0 : 1);
      }
      expect(got).toEqual(row.expected);
    });
  }
});

describe("upload, list, replace, delete", () => {
  it("SRT becomes sanitised WebVTT at the returned URL; the list shows it; replace → 200 and the old file is gone", async () => {
    const id = await seedVideo(actors.owner.creatorId!);
    const created = await put(id, "pt-br", SRT, actors.owner, "?label=Portugu%C3%AAs");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ lang: "pt-BR", label: "Português" });
    expect(created.body.url).toMatch(new RegExp(`/media/videos/${id}/captions/pt-BR/[0-9a-f]{16}\\.vtt$`));
    const file = await media(created.body.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/vtt; charset=utf-8");
    expect(await file.text()).toBe(
      "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n1\n00:00:01.000 --> 00:00:02.500\nRed <i>text</i>\n\n2\n00:00:03.000 --> 00:00:04.000\nTwo\nlines\n",
    );
    expect((await list(id)).body).toEqual([created.body]);

    const replaced = await put(id, "PT-br", VTT, actors.owner);
    expect(replaced.status).toBe(200);
    expect(replaced.body.label).toBe("pt-BR");
    expect(replaced.body.url).not.toBe(created.body.url);
    expect((await media(created.body.url)).status).toBe(404);
    const text = await (await media(replaced.body.url)).text();
    expect(text).toContain("00:00:00.500 --> 00:00:02.000\nHello <b>world</b>");
    expect(text).toContain("00:00:02.000 --> 00:00:03.500 align:start\n<v Ann>Second</v> line");
    expect((await list(id)).body).toEqual([replaced.body]);

    const gone = await api.request(`/api/videos/${id}/captions/pt-BR`, { method: "DELETE", as: actors.owner });
    expect(gone.status).toBe(204);
    expect((await list(id)).body).toEqual([]);
    expect((await env.MEDIA.list({ prefix: captionsPrefix(id) })).objects).toEqual([]);
    expect((await api.request(`/api/videos/${id}/captions/pt-BR`, { method: "DELETE", as: actors.owner })).status).toBe(404);
  });

  it("works while the video is still uploading or processing", async () => {
    for (const status of ["uploading", "processing"] as const) {
      const id = await seedVideo(actors.owner.creatorId!, { status });
      const res = await put(id, "en", VTT, actors.owner);
      expect(res.status, status).toBe(201);
      const playlist = await (await media(res.body.url.replace(/\.vtt$/, ".m3u8"))).text();
      // Duration unknown yet: the one segment covers the captions (3.5 s).
      expect(playlist).toContain("#EXTINF:3.500,");
    }
  });

  it("private videos: the caption URL is signed; unsigned it is refused", async () => {
    const id = await seedVideo(actors.owner.creatorId!, { visibility: "private" });
    const res = await put(id, "en", VTT, actors.owner);
    expect(res.body.url).toMatch(/\/media\/s\/\d+\.[A-Za-z0-9_-]{43}\/videos\//);
    expect((await media(res.body.url)).status).toBe(200);
    expect((await media(res.body.url.replace(/\/media\/s\/[^/]+\//, "/media/"))).status).toBe(404);
    expect((await master(id)).status).toBe(404);
  });
});

describe("hostile caption files: 422 with errors (or sanitised), never a 5xx", () => {
  let id: string;
  beforeAll(async () => {
    id = await seedVideo(actors.owner.creatorId!);
  });

  const refused: [string, BodyInit, RegExp][] = [
    ["empty", "", /empty/],
    ["whitespace", " \n\n\t\n", /empty/],
    ["WEBVTT without cues", "WEBVTT\n\nNOTE nothing here\n", /no cues/],
    ["plain text", "hello there\nthis is not a caption file", /timing line/],
    ["binary", new Uint8Array([0, 1, 2, 3, 255, 254, 0, 7]), /UTF-8/],
    ["invalid UTF-8", new Uint8Array([0x57, 0x45, 0x42, 0x56, 0x54, 0x54, 0x0a, 0x0a, 0xc3, 0x28]), /UTF-8/],
    ["NUL in text", "WEBVTT\n\n00:00.000 --> 00:01.000\na\u0000b\n", /NUL/],
    ["broken timestamp", "WEBVTT\n\n00:00.000 --> 00:61.000\nx\n", /malformed timestamps/],
    ["missing fraction", "WEBVTT\n\n00:00 --> 00:01\nx\n", /malformed timestamps/],
    ["SRT with dots and no hours", "1\n00:01,000 --> 00:02,000\nx\n", /malformed timestamps/],
    ["end before start", "WEBVTT\n\n00:05.000 --> 00:01.000\nx\n", /end after it starts/],
    ["zero length", "WEBVTT\n\n00:05.000 --> 00:05.000\nx\n", /end after it starts/],
    ["too late", "WEBVTT\n\n999:00:00.000 --> 999:00:01.000\nx\n", /within 24 hours/],
    ["huge cue count", "WEBVTT\n\n" + Array.from({ length: CAPTION_MAX_CUES + 1 }, (_, i) => `00:00:${String(i % 60).padStart(2, "0")}.000 --> 00:00:${String(i % 60).padStart(2, "0")}.500\nc`).join("\n\n"), /at most 5000 cues/],
    ["cue text too long", "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "x".repeat(5000) + "\n", /at most 1000 characters/],
    ["cues without a blank line", "WEBVTT\n\n00:00.000 --> 00:01.000\na\n00:01.000 --> 00:02.000\nb\n", /blank line/],
  ];
  for (const [name, body, message] of refused) {
    it(name, async () => {
      const res = await put(id, "en", body, actors.owner);
      expect(res.status, res.text).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.errors?.length).toBeGreaterThan(0);
      expect(res.body.errors!.map((e) => e.message).join(" | ")).toMatch(message);
      expect((await list(id)).body).toEqual([]);
    });
  }

  it("bad languages and labels are 422; more than 1 MiB is 413", async () => {
    for (const lang of ["english", "e", "en_US", "123", "en--us", "x".repeat(40), "%00", "en-" + "a".repeat(9)]) {
      const res = await put(id, encodeURIComponent(lang), VTT, actors.owner);
      expect(res.status, lang).toBe(lang === "%00" ? 422 : 422);
    }
    for (const label of ["", "a".repeat(81), "two\nlines", 'say "hi"', "\u0000"]) {
      const res = await put(id, "en", VTT, actors.owner, `?label=${encodeURIComponent(label)}`);
      expect(res.status, JSON.stringify(label)).toBe(422);
    }
    const big = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "x".repeat(CAPTION_MAX_BYTES);
    expect((await put(id, "en", big, actors.owner)).status).toBe(413);
    expect((await list(id)).body).toEqual([]);
  });

  it("markup beyond WebVTT's own is dropped (<script>, <img>, <font>); entities and stray brackets are escaped", async () => {
    const hostile = [
      "WEBVTT - header text <script>",
      "Region: bogus",
      "",
      "STYLE",
      "::cue { background: url(javascript:alert(1)) }",
      "",
      "NOTE a comment --> with an arrow-less note",
      "",
      "cue-id <b>",
      '00:00.000 --> 00:01.000 line:0 position:50%,center region:evil vertical:rl size:abc align:"x"',
      '<script>alert(1)</script><img src=x onerror="alert(2)"><c.yellow.bg_blue.<x>>ok</c> a < b && c > d &bogus; &amp; &#x1F600; &#xD800;',
      "<v Mallory <i>>said</v> <lang en-GB>hi</lang> <lang ';drop>x</lang> <00:00:00.500>late</b></i></u>",
      "",
    ].join("\n");
    const res = await put(id, "en", hostile, actors.owner);
    expect(res.status, res.text).toBe(201);
    const text = await (await media(res.body.url)).text();
    expect(text).toBe(
      [
        "WEBVTT",
        "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000",
        "",
        "1",
        "00:00:00.000 --> 00:00:01.000 line:0 position:50%,center vertical:rl",
        "alert(1)&lt;c.yellow.bg_blue.&gt;ok a &lt; b &amp;&amp; c &gt; d &amp;bogus; &amp; &#x1F600; &amp;#xD800;",
        "&lt;v Mallory <i>&gt;said <lang en-GB>hi</lang> x <00:00:00.500>late</i>",
        "",
      ].join("\n"),
    );
    expect(text).not.toMatch(/<script|<img|onerror|javascript:|<font/);
    await api.request(`/api/videos/${id}/captions/en`, { method: "DELETE", as: actors.owner });
  });
});

describe("the master playlist's SUBTITLES group", () => {
  it("lists every track with a subtitle playlist; every variant names the group; ETag and body follow changes", async () => {
    const id = await seedVideo(actors.owner.creatorId!);
    const plain = await master(id);
    expect(await plain.text()).toBe(MASTER);
    const plainEtag = plain.headers.get("etag")!;

    const en = (await put(id, "en", VTT, actors.owner, "?label=English")).body;
    const fr = (await put(id, "fr", SRT, actors.owner, "?label=English")).body; // same label: NAME stays unique
    const served = await master(id);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    expect(served.headers.get("cache-control")).toBe("public, max-age=60");
    const etag = served.headers.get("etag")!;
    expect(etag).not.toBe(plainEtag);
    const text = await served.text();
    const enUri = en.url.replace(/^.*\/videos\/[^/]+\//, "").replace(/\.vtt$/, ".m3u8");
    const frUri = fr.url.replace(/^.*\/videos\/[^/]+\//, "").replace(/\.vtt$/, ".m3u8");
    expect(text.split("\n").filter((l) => l.includes("TYPE=SUBTITLES"))).toEqual([
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="${enUri}"`,
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English (fr)",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="${frUri}"`,
    ]);
    const variants = text.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"));
    expect(variants).toHaveLength(2);
    for (const v of variants) expect(v).toMatch(/,AUDIO="audio",SUBTITLES="subs"$/);
    // The EXT-X-MEDIA lines come before the first variant (and after the audio group).
    expect(text.indexOf("TYPE=SUBTITLES")).toBeGreaterThan(text.indexOf("TYPE=AUDIO"));
    expect(text.indexOf("TYPE=SUBTITLES")).toBeLessThan(text.indexOf("#EXT-X-STREAM-INF"));

    // The subtitle playlist: one WebVTT segment over the video's 10 s, a finished VOD playlist.
    const playlist = await media(`http://example.com/media/videos/${id}/${enUri}`);
    expect(playlist.status).toBe(200);
    const version = enUri.split("/").pop()!.replace(".m3u8", "");
    expect(await playlist.text()).toBe(
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10.000,\n${version}.vtt\n#EXT-X-ENDLIST\n`,
    );

    // Conditional requests: 304 while nothing changed, 200 with a new ETag after a caption change.
    expect((await master(id, { "if-none-match": etag })).status).toBe(304);
    expect((await master(id, { "if-none-match": plainEtag })).status).toBe(200);
    await put(id, "en", SRT, actors.owner, "?label=English");
    const changed = await master(id, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(await changed.text()).not.toContain(enUri);
    await api.request(`/api/videos/${id}/captions/en`, { method: "DELETE", as: actors.owner });
    await api.request(`/api/videos/${id}/captions/fr`, { method: "DELETE", as: actors.owner });
    const back = await master(id);
    expect(await back.text()).toBe(MASTER);
    expect(back.headers.get("etag")).toBe(plainEtag);
  });

  it("private videos: the signed master carries the group, its URIs stay relative (under the signed prefix)", async () => {
    const id = await seedVideo(actors.owner.creatorId!, { visibility: "private" });
    const caption = (await put(id, "de", VTT, actors.owner, "?label=Deutsch")).body;
    const base = caption.url.replace(/captions\/.*$/, "");
    const served = await media(`${base}master.m3u8`);
    expect(served.status).toBe(200);
    expect(served.headers.get("cache-control")).toMatch(/^private, max-age=/);
    const text = await served.text();
    const uri = /URI="(captions\/de\/[0-9a-f]{16}\.m3u8)"/.exec(text)?.[1];
    expect(uri).toBeDefined();
    expect((await media(base + uri)).status).toBe(200);
  });
});

describe("pure pieces", () => {
  it("parseCaptions sorts cues by start, drops empty ones and identifiers, keeps valid settings only", () => {
    const parsed = parseCaptions("\uFEFFWEBVTT\r\n\r\nb\r\n00:05.000 --> 00:06.000 size:50% align:middle\r\nsecond\r\n\r\na\r\n00:01.000 --> 00:02.000\r\nfirst\r\n\r\n00:03.000 --> 00:04.000\r\n<i></i>\r\n");
    expect(parsed).toEqual({
      ok: true,
      cues: [
        { start: 1, end: 2, settings: "", text: "first" },
        { start: 5, end: 6, settings: "size:50%", text: "second" },
        { start: 3, end: 4, settings: "", text: "<i></i>" },
      ].sort((a, b) => a.start - b.start),
    });
    if (parsed.ok) expect(serialiseWebVtt(parsed.cues)).toContain("3\n00:00:05.000 --> 00:00:06.000 size:50%\nsecond\n");
  });

  it("sanitiseCueText is linear on pathological input", () => {
    const started = Date.now();
    expect(sanitiseCueText("<".repeat(500_000))).toBe("&lt;".repeat(500_000));
    expect(sanitiseCueText("<b>".repeat(100_000)).length).toBeGreaterThan(0);
    expect(sanitiseCueText("&".repeat(200_000) + ";")).toBe("&amp;".repeat(200_000) + ";");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("addSubtitlesGroup leaves a playlist without variants alone and replaces an existing group", () => {
    const media = "#EXTM3U\n#EXTINF:4,\nseg_00001.m4s\n";
    expect(addSubtitlesGroup(media, [{ lang: "en", label: "E", uri: "captions/en/x.m3u8" }])).toBe(media);
    const twice = addSubtitlesGroup(addSubtitlesGroup(MASTER, [{ lang: "en", label: "E", uri: "a.m3u8" }]), [{ lang: "fr", label: "F", uri: "b.m3u8" }]);
    expect(twice.match(/TYPE=SUBTITLES/g)).toHaveLength(1);
    expect(twice.match(/SUBTITLES="subs"/g)).toHaveLength(2);
    expect(twice).toContain('LANGUAGE="fr"');
  });
});
