// Playback extras in Chromium: /embed/:id framed by a page on another origin loads and plays
// (muted autoplay) while /watch/:id framed is refused; a chapter marker on the seek bar and a
// chapter in the list seek; the watch and embed players carry the chapters as a hidden chapters
// TextTrack, kept out of the CC menu, and load without a console error, page error or CSP violation
// with chapters and captions together; the position is saved and "Resume at m:ss" is offered after
// a reload (signed in through the API, anonymous through local storage); the share dialog; axe on embed
// and watch (no serious or critical violations); a poster picked or uploaded in the studio
// replaces the generated one on the home and watch pages.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { imageSize } from "image-size";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUpCreator, uploadAndWaitReady, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import {
  hydrateAfterHlsReadSubtitles,
  launchChromium,
  newContext,
  recordPageProblems,
  screenshot,
  seriousViolations,
  signUpInBrowser,
  startPlatform,
  waitForPlayback,
  type AxeViolation,
  type Platform,
} from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let creator: Session;
let videoId: string;
let thirdParty: Server;
let thirdPartyOrigin: string;

const CHAPTERS = "Chapters:\n0:00 Opening\n0:10 Middle part\n0:20 Finale";
const currentTime = (page: Page) => page.evaluate(() => document.querySelector("video")?.currentTime ?? -1);

/** The video's chapters TextTrack as the browser exposes it (cue times in ms). */
const chaptersTrack = (page: Page) =>
  page.evaluate(() => {
    const tracks = Array.from(document.querySelector("video")?.textTracks ?? []).filter((t) => t.kind === "chapters");
    return tracks.map((t) => ({
      mode: t.mode,
      label: t.label,
      cues: t.cues ? Array.from(t.cues).map((c) => ({ start: Math.round(c.startTime * 1000), end: Math.round(c.endTime * 1000), text: (c as VTTCue).text })) : null,
      active: t.activeCues ? Array.from(t.activeCues).map((c) => (c as VTTCue).text) : null,
    }));
  });

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-extras-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([startPlatform("extras"), launchChromium(), makeClip(path.join(clipDir, "extras.mp4"), { seconds: 32, width: 320, height: 180 })]);
  creator = await signUpCreator(platform.origin, "Extras Channel");
  videoId = (await uploadAndWaitReady(creator, new Uint8Array(await readFile(clip)), "Extras clip")).id;
  const patched = await api(platform.origin, `/api/videos/${videoId}`, { method: "PATCH", token: creator.token, body: JSON.stringify({ description: CHAPTERS }) });
  expect(patched.status).toBe(200);

  // Another site (another origin: a second loopback port) that frames our embed and watch pages.
  thirdParty = createServer((req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html lang="en"><title>Another site</title><body>
<iframe name="embed" title="embed" width="640" height="360" allow="autoplay" src="${platform.origin}/embed/${videoId}?autoplay=1&t=3"></iframe>
<iframe name="watch" title="watch" width="640" height="360" src="${platform.origin}/watch/${videoId}"></iframe>
</body></html>`);
  });
  await new Promise<void>((resolve) => thirdParty.listen(0, "127.0.0.1", resolve));
  thirdPartyOrigin = `http://127.0.0.1:${(thirdParty.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => (thirdParty ? thirdParty.close(resolve) : resolve(undefined)));
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("embedding", () => {
  it("another origin frames /embed/:id, which plays muted from ?t=; the framed watch page is refused", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      expect(new URL(thirdPartyOrigin).origin).not.toBe(new URL(platform.origin).origin);
      await page.goto(thirdPartyOrigin);
      const embed = page.frame({ name: "embed" })!;
      await embed.waitForFunction(() => {
        const v = document.querySelector("video");
        return !!v && !v.paused && v.currentTime > 3.3;
      }, undefined, { timeout: 60_000, polling: 200 });
      expect(await embed.evaluate(() => document.querySelector("video")!.muted)).toBe(true);
      expect(await embed.evaluate(() => !!document.querySelector("header"))).toBe(false);
      await embed.getByRole("link", { name: /Extras clip/ }).waitFor();

      // Chromium replaces a refused frame with its error page: no player in it.
      const watch = page.frame({ name: "watch" })!;
      await expect.poll(() => watch.url(), { timeout: 10_000 }).not.toContain(`/watch/${videoId}`);
      expect(await watch.evaluate(() => !!document.getElementById("player-video")).catch(() => false)).toBe(false);
      await screenshot(page, "extras-embed-framed");
    } finally {
      await context.close();
    }
  });
});

describe("chapters", () => {
  it("a marker on the seek bar and a chapter in the list seek; the current chapter is shown", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await page.goto(`/watch/${videoId}`);
      await waitForPlayback(page, 0.3);
      const marker = page.locator('[data-chapter-marker="20"]');
      await marker.waitFor({ state: "attached" });
      await page.getByRole("region", { name: /Video player/ }).hover();
      await marker.click();
      await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(19.9);
      await expect.poll(() => page.getByTestId("current-chapter").textContent()).toContain("Finale");

      const list = page.getByRole("region", { name: /Chapters/ });
      await list.getByRole("link", { name: /Middle part/ }).click();
      await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(9.9);
      expect(await currentTime(page)).toBeLessThan(19);
      await expect.poll(() => list.locator('[aria-current="true"]').textContent()).toContain("Middle part");
    } finally {
      await context.close();
    }
  });

  it("the watch and embed players carry the chapters as a hidden chapters TextTrack, apart from the CC menu; both load clean", async () => {
    const video = await api<{ durationSeconds: number }>(platform.origin, `/api/videos/${videoId}`);
    const cues = [
      { start: 0, end: 10_000, text: "Opening" },
      { start: 10_000, end: 20_000, text: "Middle part" },
      { start: 20_000, end: Math.round(video.body.durationSeconds * 1000), text: "Finale" },
    ];
    // A caption track too, so the CC menu has something to list besides (never) the chapters.
    const caption = await api(platform.origin, `/api/videos/${videoId}/captions/en?label=English`, {
      method: "PUT",
      token: creator.token,
      headers: { "content-type": "text/vtt" },
      body: "WEBVTT\n\n00:00.000 --> 00:30.000\nA caption\n",
    });
    expect(caption.status).toBe(201);
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      // No console error, page error or CSP violation with chapters and captions on one <video>,
      // hls.js started before hydration (see captions.test.ts).
      const problems = await recordPageProblems(page);
      const hydratedLate = await hydrateAfterHlsReadSubtitles(page);
      await page.goto(`/watch/${videoId}`);
      await hydratedLate();
      await waitForPlayback(page, 0.3);
      await expect.poll(() => chaptersTrack(page), { timeout: 30_000 }).toEqual([{ mode: "hidden", label: "Chapters", cues, active: ["Opening"] }]);
      // activeCues follow playback, so the browser knows the current chapter.
      await page.evaluate(() => (document.querySelector("video")!.currentTime = 21));
      await expect.poll(async () => (await chaptersTrack(page))[0]?.active).toEqual(["Finale"]);

      await page.getByRole("region", { name: /Video player/ }).hover();
      await page.getByRole("button", { name: "Captions (off)" }).click();
      const choices = page.getByRole("group", { name: "Captions" }).getByRole("radio");
      expect(await choices.evaluateAll((radios) => radios.map((r) => r.closest("label")?.textContent?.trim()))).toEqual(["Off", "English"]);
      await page.getByRole("radio", { name: "English" }).click();
      await page.getByRole("button", { name: "Captions (on)" }).waitFor();
      const modes = () => page.evaluate(() => Array.from(document.querySelector("video")!.textTracks).map((t) => `${t.kind}:${t.mode}`));
      await expect.poll(modes).toEqual(["chapters:hidden", "subtitles:showing"]);
      await page.getByRole("button", { name: "Captions (on)" }).click();
      await page.getByRole("radio", { name: "Off" }).click();
      await expect.poll(modes).toEqual(["chapters:hidden", "subtitles:disabled"]);
      const onWatch = await problems();

      await page.goto(`/embed/${videoId}`);
      await page.getByRole("region", { name: /Video player/ }).waitFor();
      await expect.poll(async () => (await chaptersTrack(page)).map((t) => ({ mode: t.mode, cues: t.cues })), { timeout: 30_000 }).toEqual([{ mode: "hidden", cues }]);
      // The embed's CC menu lists the caption, never the chapters.
      await page.getByRole("region", { name: /Video player/ }).hover();
      await page.getByRole("button", { name: /^Captions/ }).click();
      await page.getByRole("radio", { name: "English" }).click();
      await expect.poll(modes).toEqual(["chapters:hidden", "subtitles:showing"]);
      expect({ onWatch, onEmbed: await problems() }).toEqual({ onWatch: [], onEmbed: [] });
    } finally {
      await context.close();
      await api(platform.origin, `/api/videos/${videoId}/captions/en`, { method: "DELETE", token: creator.token });
    }
  });
});

describe("theatre mode", () => {
  it("widens the watch layout, is remembered after a reload, and T toggles it", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await page.goto(`/watch/${videoId}`);
      await waitForPlayback(page, 0.3);
      const width = () => page.getByRole("region", { name: /Video player/ }).evaluate((el) => el.getBoundingClientRect().width);
      const normal = await width();
      const button = page.getByRole("button", { name: "Theatre mode" });
      await page.getByRole("region", { name: /Video player/ }).hover();
      await button.click();
      await expect.poll(() => button.getAttribute("aria-pressed")).toBe("true");
      await expect.poll(width).toBeGreaterThan(normal + 100);
      expect(await page.evaluate(() => localStorage.getItem("ev:theatre"))).toBe("1");
      await page.reload();
      await expect.poll(() => page.getByRole("button", { name: "Theatre mode" }).getAttribute("aria-pressed")).toBe("true");
      await expect.poll(width).toBeGreaterThan(normal + 100);
      // T toggles it from the keyboard.
      await page.keyboard.press("t");
      await expect.poll(() => page.getByRole("button", { name: "Theatre mode" }).getAttribute("aria-pressed")).toBe("false");
      await expect.poll(width).toBeLessThan(normal + 1);
      expect(await page.evaluate(() => localStorage.getItem("ev:theatre"))).toBe("0");
    } finally {
      await context.close();
    }
  });
});

describe("resume", () => {
  it("signed in: the position is saved to the API and offered after a reload", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await signUpInBrowser(page, { role: "viewer" });
      await page.goto(`/watch/${videoId}`);
      await waitForPlayback(page, 0.3);
      // The save on pause (an earlier periodic save may carry an earlier time).
      const saved = page.waitForResponse((r) => {
        if (!r.url().includes(`/api/me/progress/${videoId}`) || r.request().method() !== "PUT") return false;
        return (JSON.parse(r.request().postData() ?? "{}") as { seconds?: number }).seconds! >= 14;
      });
      await page.evaluate(() => {
        const v = document.querySelector("video")!;
        v.currentTime = 14;
      });
      await waitForPlayback(page, 14.2);
      await page.evaluate(() => document.querySelector("video")!.pause());
      expect((await saved).status()).toBe(204);

      await page.reload();
      const offer = page.getByRole("button", { name: /^Resume at 0:1[45]$/ });
      await offer.waitFor();
      await offer.click();
      await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(14);
      await expect.poll(() => offer.count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("anonymous: the position is kept in local storage on pagehide and offered after a reload", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await page.goto(`/watch/${videoId}`);
      await waitForPlayback(page, 0.3);
      await page.evaluate(() => (document.querySelector("video")!.currentTime = 12));
      await waitForPlayback(page, 12.2);
      // No pause: leaving the page saves.
      await page.reload();
      const offer = page.getByRole("button", { name: /^Resume at 0:1[23]$/ });
      await offer.waitFor();
      await page.getByRole("button", { name: /Dismiss/ }).click();
      await expect.poll(() => offer.count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe("share dialog and accessibility", () => {
  const describeViolations = (list: AxeViolation[]) => list.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`).join("\n");

  it("share offers the link, the link at the current time and the iframe code; axe finds nothing serious on watch and embed", async () => {
    const context = await newContext(browser, platform.origin, { injectsScripts: true });
    const page = await context.newPage();
    try {
      await page.goto(`/watch/${videoId}?t=21`);
      await waitForPlayback(page, 21.2);
      await page.evaluate(() => document.querySelector("video")!.pause());
      await page.getByRole("button", { name: "Share" }).click();
      const dialog = page.getByRole("dialog", { name: "Share this video" });
      await dialog.waitFor();
      expect(await dialog.getByRole("textbox", { name: "Link", exact: true }).inputValue()).toBe(`${platform.origin}/watch/${videoId}`);
      expect(await dialog.getByRole("textbox", { name: /^Link at 0:2\d$/ }).inputValue()).toMatch(new RegExp(`/watch/${videoId}\\?t=2\\ds$`));
      expect(await dialog.getByRole("textbox", { name: "Embed code" }).inputValue()).toContain(`<iframe src="${platform.origin}/embed/${videoId}"`);
      const violations = await seriousViolations(page);
      expect(violations, `watch with the share dialog:\n${describeViolations(violations)}`).toEqual([]);
      await page.keyboard.press("Escape");
      await expect.poll(() => dialog.isVisible()).toBe(false);

      const discovery = await page.locator('link[type="application/json+oembed"]').getAttribute("href");
      const oembed = await api<{ type: string; html: string }>(platform.origin, new URL(discovery!).pathname + new URL(discovery!).search);
      expect(oembed.status).toBe(200);
      expect(oembed.body.type).toBe("video");

      await page.goto(`/embed/${videoId}`);
      await page.getByRole("region", { name: /Video player/ }).waitFor();
      const embedViolations = await seriousViolations(page);
      expect(embedViolations, `embed:\n${describeViolations(embedViolations)}`).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("custom poster", () => {
  it("the creator picks a candidate in the studio; home and watch pages show the new poster", async () => {
    const context = await newContext(browser, platform.origin);
    // The API session's access token is the browser's access cookie too.
    await context.addCookies([{ name: "access_token", value: creator.token, url: platform.origin }]);
    const page = await context.newPage();
    try {
      const before = (await api<{ playback: { poster: string; thumbnails: string[] } }>(platform.origin, `/api/videos/${videoId}`)).body.playback;
      expect(before.thumbnails.length).toBeGreaterThanOrEqual(2);
      await page.goto("/studio");
      await page.locator("summary").filter({ hasText: /^Poster of “Extras clip”$/ }).click();
      await page.getByRole("radio", { name: "Frame 2" }).check({ force: true });
      await page.getByRole("button", { name: "Use this poster" }).click();
      await page.getByRole("status").filter({ hasText: "Poster changed." }).waitFor();

      const after = (await api<{ playback: { poster: string } }>(platform.origin, `/api/videos/${videoId}`)).body.playback;
      expect(after.poster).not.toBe(before.poster);
      expect(after.poster).toMatch(new RegExp(`/media/videos/${videoId}/posters/[0-9a-f-]{36}\\.jpg$`));
      const image = await fetch(after.poster);
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer())).toEqual(Buffer.from(await (await fetch(before.thumbnails[1]!)).arrayBuffer()));

      await page.goto("/");
      await expect.poll(() => page.locator(`img[src="${after.poster}"]`).count()).toBeGreaterThan(0);
      expect(await page.locator(`img[src="${before.poster}"]`).count()).toBe(0);
      await page.goto(`/watch/${videoId}`);
      expect(await page.locator("video").getAttribute("poster")).toBe(after.poster);
      await screenshot(page, "extras-custom-poster");
    } finally {
      await context.close();
    }
  });

  it("the creator uploads an image in the studio (with and without JavaScript); it is re-encoded and home and watch pages show it", async () => {
    const before = (await api<{ playback: { poster: string } }>(platform.origin, `/api/videos/${videoId}`)).body.playback;
    const png = path.join(clipDir, "poster.png");
    await promisify(execFile)("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=0xd02020:s=640x360", "-frames:v", "1", png]);
    const posterNow = async () => (await api<{ playback: { poster: string } }>(platform.origin, `/api/videos/${videoId}`)).body.playback.poster;
    const openUpload = async (page: Page) => {
      await page.goto("/studio");
      await page.locator("summary").filter({ hasText: /^Poster of “Extras clip”$/ }).click();
      await page.getByLabel("Or upload an image").setInputFiles(png);
    };

    const context = await newContext(browser, platform.origin);
    await context.addCookies([{ name: "access_token", value: creator.token, url: platform.origin }]);
    const page = await context.newPage();
    let uploaded: string;
    try {
      await openUpload(page);
      await page.getByRole("button", { name: "Upload image" }).click();
      await page.getByRole("status").filter({ hasText: "Poster uploaded." }).waitFor();
      uploaded = await posterNow();
      expect(uploaded).not.toBe(before.poster);
      expect(uploaded).toMatch(new RegExp(`/media/videos/${videoId}/posters/[0-9a-f-]{36}\\.jpg$`));
      // Served as a JPEG of the generated poster's size (the 320 × 180 clip's), not the PNG that was sent.
      const image = await fetch(uploaded);
      expect(image.headers.get("content-type")).toBe("image/jpeg");
      const bytes = new Uint8Array(await image.arrayBuffer());
      expect(imageSize(bytes)).toMatchObject({ type: "jpg", width: 320, height: 180 });
      expect(Buffer.from(bytes)).not.toEqual(await readFile(png));

      await page.goto("/");
      await expect.poll(() => page.locator(`img[src="${uploaded}"]`).count()).toBeGreaterThan(0);
      expect(await page.locator(`img[src="${before.poster}"]`).count()).toBe(0);
      await page.goto(`/watch/${videoId}`);
      expect(await page.locator("video").getAttribute("poster")).toBe(uploaded);
      await screenshot(page, "extras-uploaded-poster");
    } finally {
      await context.close();
    }

    // The same form without JavaScript: a plain multipart POST to the studio page.
    const plain = await browser.newContext({ baseURL: platform.origin, javaScriptEnabled: false });
    await plain.addCookies([{ name: "access_token", value: creator.token, url: platform.origin }]);
    const noScript = await plain.newPage();
    try {
      await openUpload(noScript);
      await Promise.all([noScript.waitForEvent("load"), noScript.getByRole("button", { name: "Upload image" }).click()]);
      const again = await posterNow();
      expect(again).not.toBe(uploaded);
      expect(again).toMatch(new RegExp(`/media/videos/${videoId}/posters/[0-9a-f-]{36}\\.jpg$`));
      expect((await fetch(uploaded)).status).toBe(404);
      await noScript.goto(`/watch/${videoId}`);
      expect(await noScript.locator("video").getAttribute("poster")).toBe(again);
    } finally {
      await plain.close();
    }
  });
});
