// Shared pieces of the browser suites: the stack (or an already running one, for quick local
// iteration: EV_E2E_ORIGIN=http://127.0.0.1:8791), Debian's Chromium through playwright-core,
// sign-up through the UI, screenshots and an axe-core run.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { checkPostgres, recreateDatabase } from "../../scripts/stack/database.ts";
import { startStack, type Stack } from "../../scripts/stack/start-stack.ts";

export const root = path.resolve(import.meta.dirname, "../..");
export const screenshotDir = path.join(root, "test-results", "screenshots");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

export type Platform = { origin: string; stack: Stack | null; stop: () => Promise<void> };

/**
 * A fresh platform, on a new database on the Postgres server at TEST_POSTGRES_URL (as `npm test`
 * sets it; default postgresql://postgres@127.0.0.1:5432/postgres, the same as scripts/test.ts),
 * or on embedded PGlite when no server answers (what `npm run dev` uses without DATABASE_URL).
 */
export async function startPlatform(name = "e2e"): Promise<Platform> {
  const existing = process.env.EV_E2E_ORIGIN;
  if (existing) return { origin: existing.replace(/\/$/, ""), stack: null, stop: async () => undefined };
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-e2e-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = await checkPostgres(server).then(
    () => recreateDatabase(server, `edge_video_test_${name}${process.env.TEST_DB_SUFFIX ?? ""}`),
    () => undefined,
  );
  const stack = await startStack({ stateDir, build: false, sweepIntervalMs: 1000, databaseUrl });
  return {
    origin: stack.origin,
    stack,
    stop: async () => {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** `injectsScripts`: the test adds its own scripts (axe-core) to pages, which the app's CSP forbids. */
export async function newContext(browser: Browser, origin: string, opts: { injectsScripts?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 }, bypassCSP: opts.injectsScripts ?? false });
}

export const PASSWORD = "correct horse battery staple";

/** Signs up through the page; returns the email. Lands on /studio (creators) or / (viewers). */
export async function signUpInBrowser(page: Page, opts: { role: "viewer" | "creator"; displayName?: string }): Promise<string> {
  const email = `${opts.role}-${crypto.randomUUID()}@example.com`;
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel(opts.role === "creator" ? /Upload videos too/ : /Watch and follow/).check();
  if (opts.displayName) await page.getByLabel("Display name").fill(opts.displayName);
  await Promise.all([page.waitForURL(opts.role === "creator" ? "**/studio" : (url) => url.pathname === "/"), page.getByRole("button", { name: "Sign up" }).click()]);
  return email;
}

export async function screenshot(page: Page, name: string) {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

let axeSource: string | null = null;

/** Runs axe-core (WCAG 2 A/AA rules and best practices) in the page; returns serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Waits until the page's <video> has played past `seconds`. */
export async function waitForPlayback(page: Page, seconds: number, timeoutMs = 60_000) {
  await page.waitForFunction((s) => (document.querySelector("video")?.currentTime ?? 0) > s, seconds, { timeout: timeoutMs, polling: 200 });
}

/**
 * Records console errors, uncaught page errors and Content-Security-Policy violations
 * (`securitypolicyviolation` events) from the page's next navigation on; call before it loads.
 * The returned function reads what was recorded so far.
 */
export async function recordPageProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __cspViolations: string[] }).__cspViolations = []);
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  return async () => [...problems, ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []))];
}

/**
 * Holds the app's scripts back (as on a slow network) until hls.js, which the player's inline
 * boot script starts before React hydrates, has read the master playlist's SUBTITLES group: so
 * whatever hls.js does to the page early happens before hydration on every run, not by chance.
 * The returned function fails if that never happened or no app script was held.
 */
export async function hydrateAfterHlsReadSubtitles(page: Page): Promise<() => Promise<void>> {
  // True once hls.js has the group and, if attached to the <video> already, made its tracks there.
  const ready = () =>
    page.evaluate(async () => {
      type Early = { hls: { subtitleTracks: unknown[]; media: HTMLMediaElement | null } } | null;
      const v = document.getElementById("player-video") as (HTMLVideoElement & { __ev?: Promise<Early> }) | null;
      const hls = (await v?.__ev)?.hls;
      return !!hls && hls.subtitleTracks.length > 0 && (!hls.media || !!v!.querySelector("track:not([kind=chapters])"));
    });
  // Polled from here: page.waitForFunction does not wait for a predicate's promise.
  const poll = async () => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      if (await ready().catch(() => false)) return true;
    }
    return false;
  };
  let read: Promise<boolean> | null = null;
  let held = 0;
  // The app's modules (hls.js is an .mjs asset of its own and is not held).
  await page.route(/\/assets\/[^?]+\.js(\?|$)/, async (route) => {
    held += 1;
    await (read ??= poll());
    await route.continue();
  });
  return async () => {
    if (held === 0) throw new Error("no app script was held back");
    if (!(await read)) throw new Error("hls.js never read the master's SUBTITLES group");
  };
}
