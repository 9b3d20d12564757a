// Notifications in a real browser (issue #14): a viewer comments on a creator's video and likes
// it; the creator's header bell says "Notifications, 1 unread" (server-rendered), /notifications
// lists the comment with a link to it on the watch page (axe: no serious or critical violations),
// where the creator replies through the comment's Reply form without a reload, and once more as a
// plain form with JavaScript off (the thread opens with the replies; axe again); the viewer is
// told of the reply, with a link that opens the thread. "Mark all as read" works as a plain form
// with JavaScript off, and the bell then says 0 unread. (An admin removing a reported comment:
// moderation.test.ts.)
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, uploadFile, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { PASSWORD, launchChromium, newContext, screenshot, seriousViolations, signUpInBrowser, startPlatform, type Platform } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let clip: string;

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-notifications-"));
  [platform, browser, clip] = await Promise.all([startPlatform("notifications"), launchChromium(), makeClip(path.join(clipDir, "n.mp4"), { seconds: 2, width: 320, height: 180 })]);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

describe("notifications in the browser", () => {
  it("a viewer's comment reaches the creator's bell and /notifications; the creator replies from there; mark all read works without JavaScript", async () => {
    const creatorContext = await newContext(browser, platform.origin, { injectsScripts: true });
    const creatorPage = await creatorContext.newPage();
    const viewerContext = await newContext(browser, platform.origin);
    const viewerPage = await viewerContext.newPage();
    try {
      const email = await signUpInBrowser(creatorPage, { role: "creator", displayName: "Bell Channel" });
      const login = await api<{ accessToken: string; user: { id: string } }>(platform.origin, "/api/auth/login", {
        method: "POST",
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const creator: Session = { origin: platform.origin, token: login.body.accessToken, userId: login.body.user.id };
      const title = `Bell <test> ${crypto.randomUUID().slice(0, 6)}`;
      const { videoId, etags } = await uploadFile(creator, new Uint8Array(await readFile(clip)), { title });
      const done = await api(platform.origin, `/api/videos/${videoId}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
      expect(done.status).toBe(202);

      await creatorPage.goto("/");
      await creatorPage.getByRole("link", { name: "Notifications, 0 unread" }).waitFor();

      await signUpInBrowser(viewerPage, { role: "viewer" });
      await viewerPage.goto(`/watch/${videoId}`);
      const text = `Great video <b>${crypto.randomUUID().slice(0, 8)}</b>`;
      await viewerPage.getByLabel("Add a comment").fill(text);
      await viewerPage.getByRole("button", { name: "Post comment" }).click();
      await viewerPage.getByTestId("comment").filter({ hasText: text }).waitFor();
      const like = viewerPage.getByRole("button", { name: "Like this video" });
      await like.click();
      await expect.poll(() => like.getAttribute("aria-pressed")).toBe("true");
      // The viewer is not told about their own comment.
      await viewerPage.goto("/");
      await viewerPage.getByRole("link", { name: "Notifications, 0 unread" }).waitFor();

      // A fresh page load renders the count on the server.
      await creatorPage.goto("/");
      const bell = creatorPage.getByRole("link", { name: "Notifications, 1 unread" });
      await bell.waitFor();
      await Promise.all([creatorPage.waitForURL("**/notifications"), bell.click()]);
      await creatorPage.getByRole("heading", { name: "Notifications", level: 1 }).waitFor();
      const item = creatorPage.getByTestId("notification").filter({ hasText: text });
      await item.waitFor();
      expect(await item.textContent()).toContain("commented on");
      expect(await item.getAttribute("data-read")).toBe("false");
      // Text is escaped: the comment's markup is shown, not rendered.
      expect(await item.locator("blockquote b").count()).toBe(0);
      const comments = await api<{ items: { id: string }[] }>(platform.origin, `/api/videos/${videoId}/comments`);
      const commentId = comments.body.items[0]!.id;
      expect(await item.getByRole("link", { name: title }).getAttribute("href")).toBe(`/watch/${videoId}#comment-${commentId}`);

      const violations = await seriousViolations(creatorPage);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);

      // The creator follows the link and replies through the comment's Reply form, without a reload.
      await Promise.all([creatorPage.waitForURL(`**/watch/${videoId}#comment-${commentId}`), item.getByRole("link", { name: title }).click()]);
      const thread = creatorPage.locator(`#comment-${commentId}`);
      await thread.getByText(text).waitFor();
      await creatorPage.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
      await thread.locator("summary").filter({ hasText: /^Reply/ }).click();
      const answer = `Thank you <i>${crypto.randomUUID().slice(0, 6)}</i>`;
      await thread.getByLabel(/^Your reply to/).fill(answer);
      await thread.getByRole("button", { name: "Post reply" }).click();
      const reply = thread.getByTestId("reply").filter({ hasText: answer });
      await reply.waitFor();
      await thread.getByRole("status").filter({ hasText: "Your reply is posted." }).waitFor();
      expect(await creatorPage.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
      expect(new URL(creatorPage.url()).searchParams.get("thread")).toBe(commentId);
      expect(await reply.locator("i").count()).toBe(0);
      expect(await thread.textContent()).toContain("1 reply");
      const threadViolations = await seriousViolations(creatorPage);
      expect(threadViolations, JSON.stringify(threadViolations, null, 2)).toEqual([]);

      // Without JavaScript: "Show 1 reply" is a link that opens the thread, the form a plain POST.
      const noJsReply = await browser.newContext({ baseURL: platform.origin, javaScriptEnabled: false });
      await noJsReply.addCookies(await creatorContext.cookies());
      const plainReply = await noJsReply.newPage();
      await plainReply.goto(`/watch/${videoId}`);
      const plainThread = plainReply.locator(`#comment-${commentId}`);
      expect(await plainThread.getByTestId("reply").count()).toBe(0);
      await Promise.all([plainReply.waitForURL(`**/watch/${videoId}?thread=${commentId}#comment-${commentId}`), plainThread.getByRole("link", { name: /^Show 1 reply/ }).click()]);
      await plainThread.getByTestId("reply").filter({ hasText: answer }).waitFor();
      await plainThread.locator("summary").filter({ hasText: /^Reply/ }).click();
      const second = `And welcome ${crypto.randomUUID().slice(0, 6)}`;
      await plainThread.getByLabel(/^Your reply to/).fill(second);
      await Promise.all([plainReply.waitForLoadState(), plainThread.getByRole("button", { name: "Post reply" }).click()]);
      await plainReply.locator(`#comment-${commentId}`).getByTestId("reply").filter({ hasText: second }).waitFor();
      await noJsReply.close();
      const replies = await api<{ items: { body: string }[] }>(platform.origin, `/api/comments/${commentId}/replies`);
      expect(replies.body.items.map((r) => r.body)).toEqual([answer, second]);

      // The viewer is told of the replies; the link opens the thread at the reply.
      await viewerPage.goto("/notifications");
      const told = viewerPage.getByTestId("notification").filter({ hasText: answer });
      await told.waitFor();
      expect(await told.textContent()).toContain("replied to your comment on");
      expect(await told.getByRole("link", { name: title }).getAttribute("href")).toMatch(new RegExp(`^/watch/${videoId}\\?thread=${commentId}#comment-[0-9a-f-]{36}$`));

      // Mark all as read with JavaScript off: a plain form POST to the page's action.
      const noJs = await browser.newContext({ baseURL: platform.origin, javaScriptEnabled: false });
      await noJs.addCookies(await creatorContext.cookies());
      const plain = await noJs.newPage();
      await plain.goto("/notifications");
      await Promise.all([plain.waitForLoadState(), plain.getByRole("button", { name: "Mark all as read" }).click()]);
      await plain.goto("/notifications");
      await plain.getByText("You are all caught up.").waitFor();
      expect(await plain.getByRole("link", { name: "Notifications, 0 unread" }).count()).toBe(1);
      await noJs.close();

      await creatorPage.goto("/notifications");
      await creatorPage.getByRole("link", { name: "Notifications, 0 unread" }).waitFor();
      expect(await creatorPage.getByTestId("notification").filter({ hasText: text }).getAttribute("data-read")).toBe("true");
      const listed = await api<{ unread: number; items: { kind: string }[] }>(platform.origin, "/api/me/notifications", { token: creator.token });
      expect(listed.body).toMatchObject({ unread: 0, items: [{ kind: "comment" }] });
      expect((await api<{ likeCount: number }>(platform.origin, `/api/videos/${videoId}`)).body.likeCount).toBe(1);
    } catch (err) {
      await screenshot(creatorPage, "notifications-failed").catch(() => undefined);
      throw err;
    } finally {
      await creatorContext.close();
      await viewerContext.close();
    }
  });
});
