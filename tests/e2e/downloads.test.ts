// Downloads in Chromium: the creator ticks "Allow downloads" in the studio's edit form; once the
// MP4 is made, a viewer's watch page has a Download link that saves "<title>.mp4" (the
// Content-Disposition name), and axe finds no serious or critical violation on it.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUpCreator, uploadAndWaitReady, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { launchChromium, newContext, screenshot, seriousViolations, startPlatform, type Platform } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let creator: Session;
let videoId: string;

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-downloads-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([startPlatform("downloads"), launchChromium(), makeClip(path.join(clipDir, "clip.mp4"), { seconds: 5, width: 320, height: 180 })]);
  creator = await signUpCreator(platform.origin, "Clips Channel");
  videoId = (await uploadAndWaitReady(creator, new Uint8Array(await readFile(clip)), "Summer: day one")).id;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("downloads", () => {
  it("allowed in the studio, then a viewer downloads <title>.mp4 from the watch page", async () => {
    const studio = await newContext(browser, platform.origin);
    await studio.addCookies([{ name: "access_token", value: creator.token, url: platform.origin }]);
    const page = await studio.newPage();
    try {
      await page.goto("/studio");
      await page.locator("summary").filter({ hasText: /^Edit “Summer: day one”$/ }).click();
      const allow = page.getByRole("checkbox", { name: /Allow downloads/ });
      expect(await allow.isChecked()).toBe(false);
      await allow.check();
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    } finally {
      await studio.close();
    }
    const made = await waitForVideo<{ status: string; playable: boolean; downloadable?: boolean; playback: { download: string | null } | null }>(creator, videoId, (v) => !!v.playback?.download);
    expect(made.downloadable).toBe(true);

    const viewer = await newContext(browser, platform.origin, { injectsScripts: true });
    const watch = await viewer.newPage();
    try {
      await watch.goto(`/watch/${videoId}`);
      const link = watch.getByRole("link", { name: /^Download “Summer: day one”/ });
      await link.waitFor();
      const [download] = await Promise.all([watch.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("Summer day one.mp4");
      const saved = path.join(clipDir, "saved.mp4");
      await download.saveAs(saved);
      expect((await readFile(saved)).subarray(4, 8).toString("latin1")).toBe("ftyp");
      expect(await seriousViolations(watch)).toEqual([]);
      await screenshot(watch, "downloads-watch");
    } finally {
      await viewer.close();
    }
    // Off again: the link is gone.
    await api(platform.origin, `/api/videos/${videoId}`, { method: "PATCH", token: creator.token, body: JSON.stringify({ downloadable: false }) });
    const anonymous = await newContext(browser, platform.origin);
    const again = await anonymous.newPage();
    try {
      await again.goto(`/watch/${videoId}?fresh=1`);
      await again.getByRole("heading", { name: "Summer: day one" }).waitFor();
      expect(await again.getByRole("link", { name: /^Download “Summer: day one”/ }).count()).toBe(0);
    } finally {
      await anonymous.close();
    }
  });
});
