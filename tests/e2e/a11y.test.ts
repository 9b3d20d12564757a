// axe-core, injected into the real pages, finds no serious or critical violations on home, watch,
// upload and studio (plus sign-up and sign-in), on a desktop and a phone viewport.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadAndWaitReady } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { launchChromium, newContext, screenshot, seriousViolations, signUpInBrowser, startPlatform, waitForPlayback, type Platform, type AxeViolation } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let page: Page;
let videoId: string;
let clipDir: string;

const describeViolations = (list: AxeViolation[]) =>
  list.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary ?? ""}`).join("\n  ")}`).join("\n");

async function expectAccessible(name: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${name}:\n${describeViolations(violations)}`).toEqual([]);
}

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-a11y-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([
    startPlatform("a11y"),
    launchChromium(),
    makeClip(path.join(clipDir, "a11y.mp4"), { seconds: 4, width: 640, height: 360 }),
  ]);
  const context = await newContext(browser, platform.origin, { injectsScripts: true });
  page = await context.newPage();
  await signUpInBrowser(page, { role: "creator", displayName: "Axe Checker" });
  // The browser's access cookie is a bearer token too: upload as this creator through the API.
  const token = (await context.cookies()).find((c) => c.name === "access_token")!.value;
  const video = await uploadAndWaitReady({ origin: platform.origin, token, userId: "" }, new Uint8Array(await readFile(clip)), "Accessible clip");
  videoId = video.id;
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("accessibility (axe-core: no serious or critical violations)", () => {
  it("home", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: /Accessible clip/ }).first().waitFor();
    await expectAccessible("home");
  });

  it("watch, with the player enhanced and its settings open", async () => {
    await page.goto(`/watch/${videoId}`);
    await waitForPlayback(page, 0.2);
    await page.getByRole("button", { name: "Settings: quality and speed" }).click();
    await page.getByLabel("Quality", { exact: true }).waitFor();
    await expectAccessible("watch");
  });

  it("upload", async () => {
    await page.goto("/studio/upload");
    await page.getByRole("heading", { name: "Upload a video" }).waitFor();
    await expectAccessible("upload");
  });

  it("studio, with videos and analytics", async () => {
    await page.goto("/studio");
    await page.getByRole("heading", { name: "Analytics" }).waitFor();
    await expectAccessible("studio");
    await screenshot(page, "studio-a11y");
    // The poster picker open: the candidates and the image upload form.
    await page.locator("summary").filter({ hasText: /^Poster of “Accessible clip”$/ }).click();
    await page.getByLabel("Or upload an image").waitFor();
    await expectAccessible("studio, poster picker open");
    await screenshot(page, "studio-poster-a11y");
  });

  it("sign-up, sign-in and search", async () => {
    const context = await newContext(browser, platform.origin, { injectsScripts: true });
    const anonymous = await context.newPage();
    const previous = page;
    page = anonymous;
    try {
      await page.goto("/signup");
      await expectAccessible("signup");
      await page.goto("/login");
      await expectAccessible("login");
      await page.goto("/search?q=accessible");
      await expectAccessible("search");
    } finally {
      page = previous;
      await context.close();
    }
  });

  it("home and watch on a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    await expectAccessible("home (phone)");
    await screenshot(page, "home-phone");
    await page.goto(`/watch/${videoId}`);
    await waitForPlayback(page, 0.2);
    await expectAccessible("watch (phone)");
    await screenshot(page, "watch-phone");
  });
});
