// Captions on a real transcoded video: the served master's SUBTITLES group (read by hls.js; ffprobe
// reads the master and the WebVTT playlist the group points at — FFmpeg 5 skips HLS subtitle
// groups in a master); in Chromium the CC menu lists the track, choosing it makes the expected cue active at its time
// (hls.js loading the WebVTT through the subtitle playlist, X-TIMESTAMP-MAP on the video's
// timeline), markup from the file never becomes page HTML, the choice survives a reload, the
// watch page loads without a console error, page error or CSP violation (hls.js started before
// hydration), and axe finds no serious or critical violation on the watch page with captions on.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUpCreator, uploadAndWaitReady, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { hydrateAfterHlsReadSubtitles, launchChromium, newContext, recordPageProblems, screenshot, seriousViolations, startPlatform, type Platform } from "./browser.ts";

const run = promisify(execFile);

let platform: Platform;
let browser: Browser;
let clipDir: string;
let creator: Session;
let videoId: string;
let master: string;

const CAPTIONS = [
  "1",
  "00:00:00,000 --> 00:00:01,500",
  "First cue",
  "",
  "2",
  "00:00:02,000 --> 00:00:03,500",
  'Second <b>bold</b> <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
  "",
].join("\n");

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-captions-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([startPlatform("captions"), launchChromium(), makeClip(path.join(clipDir, "c.mp4"), { seconds: 4, width: 320, height: 180 })]);
  creator = await signUpCreator(platform.origin, "Captioned Channel");
  const ready = await uploadAndWaitReady(creator, new Uint8Array(await readFile(clip)), "Captioned clip");
  videoId = ready.id;
  master = ready.hls;
  const put = await api<{ lang: string; url: string }>(platform.origin, `/api/videos/${videoId}/captions/en?label=English`, {
    method: "PUT",
    token: creator.token,
    headers: { "content-type": "application/x-subrip" },
    body: CAPTIONS,
  });
  expect(put.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

/** The showing caption track's active cue texts. */
const activeCues = (page: Page) =>
  page.evaluate(() => {
    const track = Array.from(document.querySelector("video")!.textTracks).find((t) => t.mode === "showing");
    return track?.activeCues ? Array.from(track.activeCues).map((c) => (c as VTTCue).text) : null;
  });

async function seekPaused(page: Page, seconds: number) {
  await page.evaluate((s) => {
    const v = document.querySelector("video")!;
    v.pause();
    v.currentTime = s;
  }, seconds);
}

describe("captions", () => {
  it("ffprobe reads the served master and the WebVTT track its SUBTITLES group points at", async () => {
    const text = await (await fetch(master)).text();
    const group = /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",[^\n]*URI="([^"]+)"/.exec(text);
    expect(group).not.toBeNull();
    for (const line of text.split("\n").filter((l) => l.startsWith("#EXT-X-STREAM-INF:"))) expect(line).toContain('SUBTITLES="subs"');
    const probe = async (url: string, entries: string) =>
      JSON.parse((await run("ffprobe", ["-v", "error", "-show_entries", entries, "-of", "json", url], { timeout: 60_000 })).stdout) as {
        streams?: { codec_type: string; codec_name?: string }[];
        packets?: { pts_time: string; duration_time: string }[];
      };
    // The rewritten master is still a master FFmpeg plays (FFmpeg 5 skips HLS subtitle groups).
    expect((await probe(master, "stream=codec_type,codec_name")).streams!.some((s) => s.codec_type === "video")).toBe(true);
    // The subtitle playlist is HLS FFmpeg reads: one WebVTT stream with the cues at their times.
    const subtitles = new URL(group![1]!, master).toString();
    const track = await probe(subtitles, "stream=codec_type,codec_name:packet=pts_time,duration_time");
    expect(track.streams).toEqual([{ codec_type: "subtitle", codec_name: "webvtt" }]);
    expect(track.packets!.map((p) => [Number(p.pts_time), Number(p.duration_time)])).toEqual([
      [0, 1.5],
      [2, 1.5],
    ]);
  });

  it("the CC menu turns captions on: the expected cue is active at its time, as text; the choice is remembered", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await page.goto(`/watch/${videoId}`, { waitUntil: "domcontentloaded", timeout: 90_000 });
      const cc = page.getByRole("button", { name: "Captions (off)" });
      await cc.waitFor({ timeout: 90_000 });
      await cc.click();
      // hls.js parsed the master's SUBTITLES group.
      const parsed = await page.evaluate(async () => {
        const booted = await (document.querySelector("video") as HTMLVideoElement & { __ev?: Promise<{ hls: { subtitleTracks: { name: string; lang?: string; groupId: string }[] } } | null> }).__ev;
        return booted?.hls.subtitleTracks.map((t) => ({ name: t.name, lang: t.lang, groupId: t.groupId }));
      });
      expect(parsed).toEqual([{ name: "English", lang: "en", groupId: "subs" }]);
      await page.getByRole("radio", { name: "English" }).click();
      await page.getByRole("button", { name: "Captions (on)" }).waitFor();

      await seekPaused(page, 0.7);
      await expect.poll(() => activeCues(page), { timeout: 60_000 }).toEqual(["First cue"]);
      await seekPaused(page, 2.6);
      await expect.poll(() => activeCues(page), { timeout: 60_000 }).toEqual(["Second <b>bold</b> window.__pwned = 1"]);
      await seekPaused(page, 1.8);
      await expect.poll(() => activeCues(page), { timeout: 60_000 }).toEqual([]);
      // Markup in the file never ran or reached the page.
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("img[src=x]").count()).toBe(0);
      await seekPaused(page, 0.7);
      await screenshot(page, "watch-captions");

      // axe with captions on (the menu open, too).
      await page.getByRole("button", { name: "Captions (on)" }).click();
      await page.getByRole("radio", { name: "Off" }).waitFor();
      const axeContext = await newContext(browser, platform.origin, { injectsScripts: true });
      const axePage = await axeContext.newPage();
      await axePage.goto(`/watch/${videoId}`, { waitUntil: "domcontentloaded", timeout: 90_000 });
      await axePage.evaluate(() => localStorage.setItem("ev:captions", "en"));
      await axePage.reload({ waitUntil: "domcontentloaded", timeout: 90_000 });
      await axePage.getByRole("button", { name: "Captions (on)" }).click({ timeout: 90_000 });
      await axePage.getByRole("radio", { name: "English" }).waitFor();
      expect(await seriousViolations(axePage)).toEqual([]);
      await axeContext.close();

      // Remembered: after a reload the track comes back on by itself; "Off" is remembered too.
      await page.reload({ waitUntil: "domcontentloaded", timeout: 90_000 });
      await page.getByRole("button", { name: "Captions (on)" }).waitFor({ timeout: 90_000 });
      await seekPaused(page, 0.7);
      await expect.poll(() => activeCues(page), { timeout: 60_000 }).toEqual(["First cue"]);
      await page.getByRole("button", { name: "Captions (on)" }).click();
      await page.getByRole("radio", { name: "Off" }).click();
      await page.reload({ waitUntil: "domcontentloaded", timeout: 90_000 });
      await page.getByRole("button", { name: "Captions (off)" }).waitFor({ timeout: 90_000 });
      // The C key turns them on again.
      await page.keyboard.press("c");
      await page.getByRole("button", { name: "Captions (on)" }).waitFor();
    } finally {
      await context.close();
    }
  }, 480_000);

  it("the watch page loads clean with captions off and on: no console error, page error or CSP violation", async () => {
    const found: string[] = [];
    for (const choice of ["off", "en"]) {
      const context = await newContext(browser, platform.origin);
      const page = await context.newPage();
      try {
        const problems = await recordPageProblems(page);
        const hydratedLate = await hydrateAfterHlsReadSubtitles(page);
        await page.addInitScript((c) => localStorage.setItem("ev:captions", c), choice);
        await page.goto(`/watch/${videoId}`, { waitUntil: "domcontentloaded", timeout: 90_000 });
        await hydratedLate();
        if (choice === "off") {
          await page.getByRole("button", { name: "Captions (off)" }).waitFor({ state: "attached", timeout: 90_000 });
          await page.keyboard.press("c");
        }
        await page.getByRole("button", { name: "Captions (on)" }).waitFor({ state: "attached", timeout: 90_000 });
        await seekPaused(page, 0.7);
        await expect.poll(() => activeCues(page), { timeout: 60_000 }).toEqual(["First cue"]);
        found.push(...(await problems()).map((p) => `captions ${choice}: ${p}`));
      } finally {
        await context.close();
      }
    }
    expect(found).toEqual([]);
  }, 480_000);

  it("the studio lists the captions (axe clean) and deletes them; the master then has no SUBTITLES group", async () => {
    const res = await api<{ lang: string; label: string }[]>(platform.origin, `/api/videos/${videoId}/captions`);
    expect(res.body.map((c) => [c.lang, c.label])).toEqual([["en", "English"]]);
    const context = await newContext(browser, platform.origin, { injectsScripts: true });
    const page = await context.newPage();
    try {
      // Sign in on the page as the creator.
      await page.goto("/login", { waitUntil: "domcontentloaded", timeout: 90_000 });
      const email = (await api<{ user: { email: string } }>(platform.origin, "/api/me", { token: creator.token })).body.user.email;
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("correct horse battery staple");
      await Promise.all([page.waitForURL((u) => u.pathname !== "/login", { timeout: 90_000 }), page.getByRole("button", { name: "Sign in" }).click()]);
      await page.goto("/studio", { waitUntil: "domcontentloaded", timeout: 90_000 });
      await page.locator("summary", { hasText: "Captions of" }).first().click();
      const item = page.getByTestId("caption-item");
      await item.waitFor({ timeout: 90_000 });
      expect(await item.textContent()).toContain("English");
      // axe with the captions editor open.
      expect(await seriousViolations(page)).toEqual([]);
      await item.getByRole("button", { name: /Delete/ }).click();
      await page.getByText("No captions yet.").waitFor({ timeout: 90_000 });
      const text = await (await fetch(master)).text();
      expect(text).not.toContain("SUBTITLES");
    } finally {
      await context.close();
    }
  }, 480_000);
});
