// The whole web app in a real browser: a creator signs up and uploads through the UI (progress
// bar moving), watches the video play while or after it is processed; a viewer finds it by
// search, follows the creator, sees it in /feed and watches long enough for a view, which then
// shows up in the creator's studio.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeClip } from "../support/clips.ts";
import { launchChromium, newContext, screenshot, signUpInBrowser, startPlatform, waitForPlayback, type Platform } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let clip: string;
let creatorContext: BrowserContext;
let creator: Page;
const word = `tern${Math.floor(Math.random() * 1e6)}`;
const title = `Harbour ${word} at dawn`;
const creatorName = `Studio ${word}`;
let videoId = "";
let creatorEmail = "";
let videoToDelete = "";
const step = (what: string) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${what}`);

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-clip-"));
  // 8 s 640x360 with audio (about 5 MB).
  [platform, browser, clip] = await Promise.all([
    startPlatform(),
    launchChromium(),
    makeClip(path.join(clipDir, "harbour.mp4"), { seconds: 8, width: 640, height: 360, videoBitrate: "8M" }),
  ]);
  creatorContext = await newContext(browser, platform.origin);
  creator = await creatorContext.newPage();
});

afterEach(async ({ task }) => {
  // Leave a picture of what the creator saw when a step fails.
  if (task.result?.state === "fail" && creator) await screenshot(creator, `failed-${task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("web app, end to end", () => {
  it("a creator signs up and uploads a video through the page, with a moving progress bar", async () => {
    creatorEmail = await signUpInBrowser(creator, { role: "creator", displayName: creatorName });
    await creator.getByRole("heading", { name: "Studio" }).waitFor();

    await creator.goto("/studio/upload");
    // Slow the upload down (4 MB/s) so the progress bar has time to move.
    const cdp = await creatorContext.newCDPSession(creator);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });

    await creator.locator("#upload-file").setInputFiles(clip);
    expect(await creator.getByLabel("Title").inputValue()).toBe("harbour");
    await creator.getByLabel("Title").fill(title);
    await creator.getByLabel("Description").fill(`A test clip about ${word}.`);
    // Sample the progress bar while it runs.
    await creator.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { __progress: number[] }).__progress = seen;
      const timer = setInterval(() => {
        const bar = document.querySelector("[data-testid=upload-progress]");
        if (bar) seen.push(Number(bar.getAttribute("aria-valuenow")));
        if (document.getElementById("processing-heading")) clearInterval(timer);
      }, 50);
    });
    await creator.getByRole("button", { name: "Upload", exact: true }).click();
    await creator.locator("#processing-heading").waitFor({ timeout: 60_000 });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await creator.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    expect(seen.some((p) => p > 0 && p < 100), `progress values seen: ${seen.join(",")}`).toBe(true);
    expect(new Set(seen).size).toBeGreaterThan(2);
  });

  it("the upload page links to the video as soon as it is playable, and it plays", async () => {
    const watchLink = creator.getByRole("link", { name: "Watch it now" });
    await watchLink.waitFor({ timeout: 120_000 });
    videoId = (await watchLink.getAttribute("href"))!.split("/").pop()!;
    await watchLink.click();
    await creator.waitForURL(`**/watch/${videoId}`);
    await creator.getByRole("heading", { name: title }).waitFor();
    // The poster (once there) and the player are on the page; playback starts and advances.
    await waitForPlayback(creator, 1.5);
    const t1 = await creator.evaluate(() => document.querySelector("video")!.currentTime);
    await creator.waitForTimeout(700);
    const t2 = await creator.evaluate(() => document.querySelector("video")!.currentTime);
    expect(t2).toBeGreaterThan(t1);
    // hls.js drives playback here (Media Source Extensions: a blob: source).
    expect(await creator.evaluate(() => document.querySelector("video")!.currentSrc)).toMatch(/^blob:/);
    await screenshot(creator, "watch");
  });

  it("the player answers the keyboard and remembers the volume", async () => {
    const video = () => creator.evaluate(() => {
      const v = document.querySelector("video")!;
      return { paused: v.paused, muted: v.muted, time: v.currentTime, volume: v.volume };
    });
    await creator.locator("body").click({ position: { x: 5, y: 300 } }); // focus the page, not a control
    await creator.keyboard.press("k");
    expect((await video()).paused).toBe(true);
    const before = (await video()).time;
    await creator.keyboard.press("j");
    expect((await video()).time).toBeLessThan(before);
    await creator.keyboard.press("l");
    expect((await video()).time).toBeGreaterThan(0);
    await creator.keyboard.press("m");
    expect((await video()).muted).toBe(true);
    await expect.poll(() => creator.evaluate(() => localStorage.getItem("ev:volume"))).toContain('"muted":true');
    await creator.keyboard.press("m");
    await creator.getByRole("button", { name: /^Play/ }).first().focus();
    await creator.keyboard.press("ArrowDown");
    await expect.poll(async () => (await video()).volume).toBeLessThan(1);
    await creator.keyboard.press("k");
    await expect.poll(async () => (await video()).paused).toBe(false);
    // Quality menu: Auto plus each rung of the ladder (640x360 source: 360p and 240p).
    await creator.getByRole("button", { name: "Settings: quality and speed" }).click();
    const options = await creator.getByLabel("Quality", { exact: true }).locator("option").allTextContents();
    expect(options[0]).toMatch(/^Auto/);
    expect(options.slice(1)).toEqual(["360p", "240p"]);
    await creator.getByLabel("Speed", { exact: true }).selectOption("1.5");
    expect(await creator.evaluate(() => document.querySelector("video")!.playbackRate)).toBe(1.5);
    await creator.keyboard.press("Escape");
  });

  it("works without JavaScript where it can: lists are in the HTML, forms post to actions", async () => {
    const home = await (await fetch(`${platform.origin}/`)).text();
    expect(home).toContain(title);
    const login = await fetch(`${platform.origin}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: platform.origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: creatorEmail, password: "correct horse battery staple", next: "/studio" }),
    });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/studio");
    expect(login.headers.getSetCookie().some((c) => c.startsWith("access_token="))).toBe(true);
    const wrong = await fetch(`${platform.origin}/login`, {
      method: "POST",
      headers: { origin: platform.origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: creatorEmail, password: "not the password" }),
    });
    expect(wrong.status).toBe(401);
    const page = await wrong.text();
    expect(page).toContain("The email or password is incorrect.");
    expect(page).not.toContain('"detail"');

    // A viewer signs up and becomes a creator from the studio page, with plain form posts.
    const form = (fields: Record<string, string>, cookie = "") => ({
      method: "POST",
      redirect: "manual" as const,
      headers: { origin: platform.origin, "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams(fields),
    });
    const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const signup = await fetch(`${platform.origin}/signup`, form({ email: `plain-${word}@example.com`, password: "correct horse battery staple", role: "viewer" }));
    expect(signup.status).toBe(302);
    let cookie = cookieOf(signup);
    expect(await (await fetch(`${platform.origin}/studio`, { headers: { cookie } })).text()).toContain("Become a creator");
    const become = await fetch(`${platform.origin}/studio`, form({ intent: "become-creator", displayName: `Plain ${word}` }, cookie));
    expect(become.status).toBe(302);
    cookie = [cookie.split("; ").filter((c) => !c.startsWith("access_token=")).join("; "), cookieOf(become)].join("; ");
    const studio = await (await fetch(`${platform.origin}/studio`, { headers: { cookie } })).text();
    expect(studio).toContain("Upload a video");
    expect(studio).toContain("Analytics");
  });

  it("the watch page carries Open Graph and Twitter tags; unknown videos are a real 404", async () => {
    const html = await (await fetch(`${platform.origin}/watch/${videoId}`)).text();
    expect(html).toContain(`<meta property="og:title" content="${title}"/>`);
    expect(html).toMatch(/<meta property="og:video" content="[^"]+master\.m3u8"/);
    expect(html).toContain('<meta name="twitter:card"');
    const missing = await fetch(`${platform.origin}/watch/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Video not found");
  });

  it("a viewer finds it by search, follows the creator, sees it in the feed and watches it: the studio shows the view", async () => {
    const viewerContext = await newContext(browser, platform.origin);
    const viewer = await viewerContext.newPage();
    await signUpInBrowser(viewer, { role: "viewer" });

    // Home: server-rendered, no hls.js.
    const scripts: string[] = [];
    viewer.on("request", (r) => r.resourceType() === "script" && scripts.push(r.url()));
    step("viewer signed up");
    await viewer.goto("/");
    await viewer.getByRole("link", { name: new RegExp(title) }).first().waitFor();
    expect(scripts.some((u) => /hls/.test(u))).toBe(false);

    step("home has the video");
    await viewer.getByLabel("Search videos and creators").fill(word);
    await viewer.getByLabel("Search videos and creators").press("Enter");
    await viewer.waitForURL(/\/search\?q=/);
    const results = viewer.getByRole("list", { name: "Matching videos" });
    await results.getByRole("link", { name: new RegExp(title) }).waitFor();

    step("search found it");
    // Follow from the channel page (reached from the search result).
    await results.getByRole("link", { name: creatorName }).first().click();
    await viewer.waitForURL(/\/c\//);
    await viewer.getByRole("button", { name: /^Follow/ }).click();
    await viewer.getByRole("button", { name: /^Following/ }).waitFor();

    step("followed");
    await viewer.goto("/feed");
    const feedItem = viewer.getByRole("list", { name: "Videos from creators you follow" }).getByRole("link", { name: new RegExp(title) });
    await feedItem.waitFor();
    const viewReport = viewer.waitForResponse((r) => r.url().endsWith(`/api/videos/${videoId}/views`) && r.request().method() === "POST", { timeout: 60_000 });
    await feedItem.click();
    await viewer.waitForURL(`**/watch/${videoId}`);
    step("watching from the feed");
    // 8 s clip: a view needs min(10 s, half) = 4 s of real playback.
    // (The report is a keepalive fetch, whose body the browser does not hand to the driver.)
    const report = await viewReport;
    expect(report.status()).toBe(202);
    expect(await viewer.evaluate(() => document.querySelector("video")!.currentTime)).toBeGreaterThanOrEqual(4);

    step("view reported");
    // The views queue batches: poll the studio until the count shows.
    const views = creator.locator(`[data-video-id="${videoId}"] [data-testid=studio-views]`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      await creator.goto("/studio");
      if (Number(await views.textContent()) >= 1) break;
      if (Date.now() > deadline) throw new Error(`the studio still shows ${await views.textContent()} views`);
      await creator.waitForTimeout(2000);
    }
    await screenshot(creator, "studio");
    await screenshot(viewer, "watch-viewer");
    await viewer.goto("/");
    await screenshot(viewer, "home");

    // An expired access cookie (15 min) with a live refresh cookie: the login page the feed
    // redirects to renews the session in the browser and goes back to the feed.
    await viewerContext.clearCookies({ name: "access_token" });
    await viewer.goto("/feed");
    await viewer.waitForURL((url) => url.pathname === "/feed");
    await viewer.getByRole("heading", { name: "Following" }).waitFor();
    await viewer.getByRole("button", { name: "Sign out" }).waitFor();

    // Signing out ends the session: the feed sends the person to the login page again.
    await viewer.getByRole("button", { name: "Sign out" }).click();
    await viewer.getByRole("link", { name: "Sign in" }).waitFor();
    await viewer.goto("/feed");
    expect(new URL(viewer.url()).pathname).toBe("/login");
    expect((await viewerContext.cookies()).some((c) => c.name === "access_token" && c.value)).toBe(false);
    await viewerContext.close();
  });

  it("plays straight across every chunk seam (chunks end at 0.5 s, 1 s, 2 s and 4 s of this clip)", async () => {
    // The video was cut into chunks encoded separately; a player must meet no gap, stall or
    // discontinuity where one chunk's segments end and the next one's begin.
    const page = await creatorContext.newPage();
    await page.goto(`/watch/${videoId}`);
    // Playing from the start crosses the 0.5 s seam.
    await waitForPlayback(page, 0.8);
    for (const seam of [1, 2, 4]) {
      await page.evaluate((t) => {
        const v = document.querySelector("video")!;
        v.currentTime = t;
        void v.play();
      }, seam - 0.4);
      await waitForPlayback(page, seam + 0.6, 15_000);
    }
    const quality = await page.evaluate(() => {
      const v = document.querySelector("video")!;
      const q = v.getVideoPlaybackQuality();
      return { error: v.error?.message ?? null, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames };
    });
    expect(quality.error).toBeNull();
    expect(quality.frames).toBeGreaterThan(20);
    await page.close();
  });

  it("an upload survives a page reload: choose the same file again and only the missing parts are sent", async () => {
    // 20 s of 720p: about 19 MB, three parts of 8 MiB.
    const big = await makeClip(path.join(clipDir, "big.mp4"), { seconds: 20, width: 1280, height: 720, audio: false });
    await creator.goto("/studio/upload");
    const cdp = await creatorContext.newCDPSession(creator);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
    let reported = 0;
    const onReport = (r: { url(): string; status(): number; request(): { method(): string } }) => {
      if (r.request().method() === "PUT" && /\/upload\/parts\/\d+$/.test(r.url()) && r.status() === 204) reported += 1;
    };
    creator.on("response", onReport);
    await creator.locator("#upload-file").setInputFiles(big);
    await creator.getByLabel("Title").fill(`Resumed ${word}`);
    await creator.getByRole("button", { name: "Upload", exact: true }).click();
    await creator.getByText(/\d of 3 parts stored/).waitFor();
    const deadline = Date.now() + 60_000;
    while (reported < 1) {
      if (Date.now() > deadline) throw new Error("no part was stored in time");
      await creator.waitForTimeout(100);
    }
    creator.off("response", onReport);
    await creator.reload();

    const pending = JSON.parse((await creator.evaluate(() => localStorage.getItem("ev:uploads")))!) as { videoId: string }[];
    expect(pending).toHaveLength(1);
    const resumedId = pending[0]!.videoId;
    const state = await (await creator.request.get(`/api/videos/${resumedId}/upload`)).json();
    expect(state.partCount).toBe(3);
    expect(state.uploaded.length).toBeGreaterThanOrEqual(1);
    expect(state.uploaded.length).toBeLessThan(3);

    let storagePuts = 0;
    creator.on("request", (r) => {
      if (r.method() === "PUT" && r.url().includes("/cdn-cgi/local/r2/s3/")) storagePuts += 1;
    });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await creator.getByRole("heading", { name: "Unfinished uploads" }).waitFor();
    await creator.getByLabel(/Choose the file to resume/).setInputFiles(big);
    await creator.locator("#processing-heading").waitFor({ timeout: 60_000 });
    expect(storagePuts).toBe(3 - state.uploaded.length);
    expect(await creator.evaluate(() => localStorage.getItem("ev:uploads"))).toBe("[]");
    videoToDelete = resumedId;
  });

  it("the studio edits a video's details and deletes it after a confirmation", async () => {
    await creator.goto("/studio");
    const row = creator.locator(`[data-video-id="${videoToDelete}"]`);
    await row.locator("summary", { hasText: "Edit" }).click();
    await row.getByLabel("Title").fill(`Renamed ${word}`);
    await row.getByLabel("Visibility").selectOption("unlisted");
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByText("Saved.").waitFor();
    await row.getByRole("heading", { name: `Renamed ${word}` }).waitFor();
    expect(await row.textContent()).toContain("unlisted");

    await row.locator("summary", { hasText: "Delete" }).click();
    await row.getByRole("button", { name: "Yes, delete it" }).click();
    await row.waitFor({ state: "detached" });
    const gone = await creator.request.get(`/api/videos/${videoToDelete}`);
    expect(gone.status()).toBe(404);
  });
});
