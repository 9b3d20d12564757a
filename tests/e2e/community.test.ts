// A viewer comments on and likes a video in a real browser: the comment posts without a page
// reload (a fetcher), a second one posts as a plain form with JavaScript off, the video's like
// button toggles and the count reaches the API; the channel's RSS feed parses as XML in Chromium.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUpCreator, uploadFile, waitForVideo, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { launchChromium, newContext, screenshot, signUpInBrowser, startPlatform, type Platform } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let creator: Session;
let videoId: string;
const title = `Comment & like <${Math.floor(Math.random() * 1e6)}>`;

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-community-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([startPlatform("community"), launchChromium(), makeClip(path.join(clipDir, "c.mp4"), { seconds: 2, width: 320, height: 180 })]);
  creator = await signUpCreator(platform.origin, "Commented Channel");
  // Once completed (queued) a public video is visible to everyone; comments need no finished transcode.
  const { videoId: id, etags } = await uploadFile(creator, new Uint8Array(await readFile(clip)), { title });
  const done = await api(platform.origin, `/api/videos/${id}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
  expect(done.status).toBe(202);
  videoId = id;
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("comments and likes in the browser", () => {
  it("a viewer comments (no reload), likes the video and a comment; without JavaScript the form still posts", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      await signUpInBrowser(page, { role: "viewer" });
      await page.goto(`/watch/${videoId}`);
      await page.getByRole("heading", { name: "Comments" }).waitFor();
      // A marker on window survives only if the page is not reloaded.
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      const text = `First! <b>not bold</b> ${crypto.randomUUID().slice(0, 8)}`;
      await page.getByLabel("Add a comment").fill(text);
      await page.getByRole("button", { name: "Post comment" }).click();
      const comment = page.getByTestId("comment").filter({ hasText: text });
      await comment.waitFor();
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      await expect.poll(() => page.getByLabel("Add a comment").inputValue()).toBe("");
      // Plain text: the markup is shown, not rendered.
      expect(await comment.locator("b").count()).toBe(0);

      const like = page.getByRole("button", { name: "Like this video" });
      await expect.poll(() => like.getAttribute("aria-pressed")).toBe("false");
      await like.click();
      await expect.poll(() => like.getAttribute("aria-pressed")).toBe("true");
      await expect.poll(async () => (await api<{ likeCount: number }>(platform.origin, `/api/videos/${videoId}`, { token: creator.token })).body.likeCount).toBe(1);
      const likeComment = comment.getByRole("button", { name: /^Like comment by/ });
      await likeComment.click();
      await expect.poll(() => likeComment.getAttribute("aria-pressed")).toBe("true");
      // The button turns at once (optimistic); reload only once the server has counted the like.
      await expect
        .poll(async () => (await api<{ items: { body: string; likeCount: number }[] }>(platform.origin, `/api/videos/${videoId}/comments`)).body.items.find((c) => c.body === text)?.likeCount)
        .toBe(1);
      await page.reload();
      await expect.poll(() => page.getByRole("button", { name: "Like this video" }).getAttribute("aria-pressed")).toBe("true");
      expect(await page.getByTestId("comment").filter({ hasText: text }).getByTestId("comment-likes").textContent()).toBe("1");

      // The same session with JavaScript off: the form is a plain POST to the page's action.
      const noJs = await browser.newContext({ baseURL: platform.origin, javaScriptEnabled: false });
      await noJs.addCookies(await context.cookies());
      const plain = await noJs.newPage();
      await plain.goto(`/watch/${videoId}`);
      const second = `Without JavaScript ${crypto.randomUUID().slice(0, 8)}`;
      await plain.getByLabel("Add a comment").fill(second);
      await plain.getByRole("button", { name: "Post comment" }).click();
      await plain.waitForLoadState();
      await plain.goto(`/watch/${videoId}`);
      await plain.getByTestId("comment").filter({ hasText: second }).waitFor();
      await noJs.close();

      const listed = await api<{ items: { body: string; likeCount: number }[] }>(platform.origin, `/api/videos/${videoId}/comments`);
      expect(listed.body.items.map((c) => c.body)).toEqual([second, text]);
      expect(listed.body.items[1]!.likeCount).toBe(1);
    } catch (err) {
      await screenshot(page, "community-failed").catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  });

  it("the channel page links its RSS feed, which Chromium's XML parser accepts", async () => {
    const context = await newContext(browser, platform.origin);
    const page = await context.newPage();
    try {
      // Feeds list published (playable) public videos; the title's & and < test the escaping.
      await waitForVideo(creator, videoId, (v) => v.playable, 170_000);
      const me = await api<{ creator: { id: string } }>(platform.origin, "/api/me", { token: creator.token });
      await page.goto(`/c/${me.body.creator.id}`);
      const href = await page.getByRole("link", { name: /RSS feed/ }).getAttribute("href");
      expect(href).toBe(`/c/${me.body.creator.id}/rss`);
      const parsed = await page.evaluate(async (url) => {
        const res = await fetch(url);
        const doc = new DOMParser().parseFromString(await res.text(), "application/xml");
        return {
          type: res.headers.get("content-type"),
          error: doc.getElementsByTagName("parsererror").length,
          root: doc.documentElement.nodeName,
          version: doc.documentElement.getAttribute("version"),
          channel: doc.querySelector("channel > title")?.textContent,
          items: [...doc.querySelectorAll("item > title")].map((t) => t.textContent),
        };
      }, href!);
      expect(parsed).toMatchObject({ type: "application/rss+xml; charset=utf-8", error: 0, root: "rss", version: "2.0", channel: "Commented Channel" });
      expect(parsed.items).toEqual([title]);
    } finally {
      await context.close();
    }
  }, 240_000);
});
