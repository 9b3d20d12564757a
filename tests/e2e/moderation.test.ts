// Moderation in a real browser (issue #14): a viewer reports a comment through the report
// disclosure under it; a non-admin gets the 403 page at /admin; an admin sees the report grouped
// with its reason on /admin (axe: no serious or critical violations), removes the comment in one
// click (it becomes a tombstone for everyone), then reverses it from the recent actions.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUpCreator, uploadFile, type Session } from "../support/api-calls.ts";
import { makeClip } from "../support/clips.ts";
import { PASSWORD, launchChromium, newContext, screenshot, seriousViolations, signUpInBrowser, startPlatform, type Platform } from "./browser.ts";

let platform: Platform;
let browser: Browser;
let clipDir: string;
let creator: Session;
let videoId: string;

type CommentJson = { id: string; body: string; deleted: boolean };

beforeAll(async () => {
  clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-moderation-"));
  let clip: string;
  [platform, browser, clip] = await Promise.all([startPlatform("moderation"), launchChromium(), makeClip(path.join(clipDir, "m.mp4"), { seconds: 2, width: 320, height: 180 })]);
  creator = await signUpCreator(platform.origin, "Moderated Channel");
  // Once completed (queued) a public video is visible to everyone; comments need no finished transcode.
  const { videoId: id, etags } = await uploadFile(creator, new Uint8Array(await readFile(clip)), { title: "A video with a rude comment" });
  const done = await api(platform.origin, `/api/videos/${id}/upload/complete`, { method: "POST", token: creator.token, body: JSON.stringify({ parts: etags }) });
  expect(done.status).toBe(202);
  videoId = id;
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (clipDir) await rm(clipDir, { recursive: true, force: true });
});

async function grantAdmin(email: string) {
  const client = new pg.Client({ connectionString: platform.stack!.databaseUrl });
  await client.connect();
  try {
    await client.query("update users set role = 'admin' where lower(email) = lower($1)", [email]);
  } finally {
    await client.end();
  }
}

const listComments = async () => (await api<{ items: CommentJson[] }>(platform.origin, `/api/videos/${videoId}/comments`)).body.items;

describe("moderation in the browser", () => {
  it("a reported comment is removed by an admin from /admin in one click, and the removal is reversed", async () => {
    const rude = `You are all <i>idiots</i> ${crypto.randomUUID().slice(0, 8)}`;
    const posted = await api<CommentJson>(platform.origin, `/api/videos/${videoId}/comments`, { method: "POST", token: creator.token, body: JSON.stringify({ body: rude }) });
    expect(posted.status).toBe(201);

    const viewerContext = await newContext(browser, platform.origin);
    const viewerPage = await viewerContext.newPage();
    const adminContext = await newContext(browser, platform.origin, { injectsScripts: true });
    const adminPage = await adminContext.newPage();
    // The machine may be shared with benchmarks: page loads get more than the default 30 s.
    for (const context of [viewerContext, adminContext]) context.setDefaultTimeout(90_000);
    try {
      await signUpInBrowser(viewerPage, { role: "viewer" });
      await viewerPage.goto(`/watch/${videoId}`, { waitUntil: "domcontentloaded" });
      const comment = viewerPage.getByTestId("comment").filter({ hasText: rude });
      await comment.locator("summary", { hasText: "Report" }).click();
      await comment.getByLabel("Harassment or hate").check();
      await comment.getByLabel("Details (optional)").fill("insults everyone");
      await comment.getByRole("button", { name: "Send report" }).click();
      await comment.getByRole("status").filter({ hasText: "Thank you" }).waitFor();
      // Without JavaScript the report is a plain form POST to the page, which reopens it with the outcome.
      const me = await api<{ creator: { id: string } }>(platform.origin, "/api/me", { token: creator.token });
      const noJs = await browser.newContext({ baseURL: platform.origin, javaScriptEnabled: false });
      noJs.setDefaultTimeout(90_000);
      await noJs.addCookies(await viewerContext.cookies());
      const plain = await noJs.newPage();
      await plain.goto(`/c/${me.body.creator.id}`);
      await plain.locator("summary", { hasText: "Report" }).click();
      await plain.getByLabel("Copyright infringement").check();
      await Promise.all([plain.waitForLoadState(), plain.getByRole("button", { name: "Send report" }).click()]);
      await plain.getByRole("status").filter({ hasText: "Thank you" }).waitFor();
      await noJs.close();

      // Not an admin: /admin is a 403 page.
      const refused = await viewerPage.goto("/admin");
      expect(refused?.status()).toBe(403);
      await viewerPage.getByRole("heading", { name: "Admins only" }).waitFor();

      const adminEmail = await signUpInBrowser(adminPage, { role: "viewer" });
      await grantAdmin(adminEmail);
      // A new sign-in: the access token carries the role.
      await adminContext.clearCookies();
      await adminPage.goto("/login?next=/admin");
      await adminPage.getByLabel("Email").fill(adminEmail);
      await adminPage.getByLabel("Password").fill(PASSWORD);
      await Promise.all([adminPage.waitForURL("**/admin"), adminPage.getByRole("button", { name: "Sign in" }).click()]);
      await adminPage.getByRole("heading", { name: "Open reports" }).waitFor();
      const group = adminPage.getByTestId("report-group").filter({ hasText: rude });
      await group.waitFor();
      expect(await group.getByRole("heading").textContent()).toBe("Comment by Moderated Channel");
      expect(await group.getByRole("list", { name: "Reasons" }).textContent()).toBe("abuse: 1");
      expect(await group.textContent()).toContain("insults everyone");
      // Plain text: the markup in the comment is shown, not rendered.
      expect(await group.locator("i").count()).toBe(0);
      const channel = adminPage.getByTestId("report-group").filter({ hasText: "Channel Moderated Channel" });
      expect(await channel.getByRole("list", { name: "Reasons" }).textContent()).toBe("copyright: 1");

      const violations = await seriousViolations(adminPage);
      expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);

      await group.getByRole("button", { name: /^Remove/ }).click();
      await expect.poll(() => group.count(), { timeout: 60_000 }).toBe(0);
      await expect.poll(async () => (await listComments()).find((c) => c.id === posted.body.id), { timeout: 60_000 }).toMatchObject({ body: "", deleted: true });
      await viewerPage.goto(`/watch/${videoId}`, { waitUntil: "domcontentloaded" });
      expect(await viewerPage.getByTestId("comment").filter({ hasText: rude }).count()).toBe(0);

      // The recent actions list it with a reverse button; reversing brings the comment back.
      const entry = adminPage.getByTestId("moderation-log").getByRole("listitem").filter({ hasText: `Removed comment ${posted.body.id}` });
      await entry.getByRole("button", { name: /^Reverse/ }).click();
      await expect.poll(async () => (await listComments()).find((c) => c.id === posted.body.id), { timeout: 60_000 }).toMatchObject({ body: rude, deleted: false });
      await expect.poll(() => entry.getByRole("button", { name: /^Reverse/ }).count(), { timeout: 60_000 }).toBe(0);
    } catch (err) {
      await screenshot(adminPage, "moderation-admin-failed").catch(() => undefined);
      await screenshot(viewerPage, "moderation-viewer-failed").catch(() => undefined);
      throw err;
    } finally {
      await viewerContext.close();
      await adminContext.close();
    }
  }, 480_000);
});
