// Scheduled publishing in Chromium, in a browser set to Asia/Kolkata (+05:30) so a zone mix-up
// shows: the upload form's "Schedule" field sends the instant the creator meant; the studio says
// "Scheduled for …"; its edit form moves the time with JavaScript, and as a plain form post
// without (in UTC, as the server renders it); the scheduled video plays by its link but is on
// no list; axe finds no serious or critical violations on the studio with the field open.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page as ListPage, Video } from "#contract/api.ts";
import { makeClip } from "../support/clips.ts";
import { launchChromium, screenshot, seriousViolations, signUpInBrowser, startPlatform, type Platform } from "./browser.ts";

const ZONE = "Asia/Kolkata";
const KOLKATA_MS = 5.5 * 3_600_000;
const DAY = 86_400_000;

let platform: Platform;
let browser: Browser;
let clipDir: string;
let clip: string;
let context: BrowserContext;
let page: Page;
let videoId = "";

/** A whole minute `days` ahead, and how a datetime-local input shows it in Kolkata. */
function ahead(days: number) {
  const at = new Date(Math.ceil((Date.now() + days * DAY) / 60_000) * 60_000);
  return { iso: at.toISOString(), kolkata: new Date(at.getTime() + KOLKATA_MS).toISOString().slice(0, 16), utc: at.toISOString().slice(0, 16) };
}

const videoAsOwner = async () => (await (await page.request.get(`/api/videos/${videoId}`)).json()) as Video;

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-schedule-"));
  [platform, browser, clip] = await Promise.all([startPlatform("schedule"), launchChromium(), makeClip(path.join(clipDir, "scheduled.mp4"), { seconds: 4, width: 320, height: 180 })]);
  // bypassCSP: axe-core is injected into the studio page.
  context = await browser.newContext({ baseURL: platform.origin, viewport: { width: 1280, height: 800 }, timezoneId: ZONE, bypassCSP: true });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("the studio's Schedule field", () => {
  it("uploading with a schedule sends the instant meant in the browser's zone", async () => {
    await signUpInBrowser(page, { role: "creator", displayName: "Scheduling Studio" });
    await page.goto("/studio/upload");
    await page.locator("#upload-file").setInputFiles(clip);
    await page.getByLabel("Title").fill("Scheduled kingfisher");
    // Once hydrated the hint names the browser's zone (Chromium may call Kolkata by its old name).
    const zoneName = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(zoneName).toMatch(/^Asia\/(Kolkata|Calcutta)$/);
    await page.getByText(`Time in ${zoneName}.`).waitFor();
    const when = ahead(2);
    await page.getByLabel("Schedule (optional)").fill(when.kolkata);
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.locator("#processing-heading").waitFor({ timeout: 60_000 });
    const me = (await (await page.request.get("/api/me")).json()) as { creator: { id: string } };
    const mine = (await (await page.request.get(`/api/creators/${me.creator.id}/videos`)).json()) as ListPage<Video>;
    videoId = mine.items[0]!.id;
    expect((await videoAsOwner()).publishAt).toBe(when.iso);
  });

  it("the studio says when; Edit shows the local time and moves it; the video is on its link but on no list", async () => {
    await page.goto("/studio");
    const row = page.locator(`[data-video-id="${videoId}"]`);
    await expect.poll(() => row.getByTestId("studio-scheduled").textContent()).toMatch(/^Scheduled for .+ UTC$/);
    await row.locator("summary", { hasText: "Edit" }).click();
    const field = row.getByLabel("Schedule (optional)");
    const before = await videoAsOwner();
    // Once hydrated, the field shows the stored instant in the browser's zone.
    await expect.poll(() => field.inputValue()).toBe(new Date(Date.parse(before.publishAt!) + KOLKATA_MS).toISOString().slice(0, 16));
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "studio-schedule");
    const later = ahead(3);
    await field.fill(later.kolkata);
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByText("Saved.").waitFor();
    expect((await videoAsOwner()).publishAt).toBe(later.iso);

    const anonymous = await fetch(`${platform.origin}/api/videos?limit=100`);
    expect(((await anonymous.json()) as ListPage<Video>).items.some((v) => v.id === videoId)).toBe(false);
    expect((await fetch(`${platform.origin}/api/videos/${videoId}`)).status).toBe(200);
  });

  it("without JavaScript the edit form posts the time in UTC, as the page says; empty publishes now", async () => {
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const html = await (await fetch(`${platform.origin}/studio`, { headers: { cookie } })).text();
    // Server-rendered: the hint says UTC and the form posts "Z" beside the field.
    expect(html).toMatch(/Time in (<!-- -->)?UTC/);
    expect(html).toMatch(/name="publishAtOffset" value="Z"/);
    const post = (fields: Record<string, string>) =>
      fetch(`${platform.origin}/studio`, {
        method: "POST",
        headers: { origin: platform.origin, "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ intent: "update", id: videoId, title: "Scheduled kingfisher", description: "", visibility: "public", ...fields }),
      });
    const when = ahead(4);
    const saved = await post({ publishAtLocal: when.utc, publishAtOffset: "Z" });
    expect(saved.status).toBe(200);
    expect((await videoAsOwner()).publishAt).toBe(when.iso);
    const past = await post({ publishAtLocal: "2020-01-01T00:00", publishAtOffset: "Z" });
    expect(past.status).toBe(422);
    expect((await post({ publishAtLocal: "", publishAtOffset: "Z" })).status).toBe(200);
    expect((await videoAsOwner()).publishAt).toBeNull();
  });
});
