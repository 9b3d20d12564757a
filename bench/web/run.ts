// Web benchmark in Debian's Chromium on the local platform:
//   - press play → first frame (the watch page loaded and settled, paused; a real mouse click)
//   - press play as soon as the page is interactive → first frame (hls.js may still be loading)
//   - page load → first frame (autoplay; navigation start to the first presented frame)
//   - JavaScript per page, gzipped: from the build (what each page needs before it is interactive)
//     and from the network in the browser (what was actually fetched)
//
//   node bench/web/run.ts [--runs=5] [--origin=http://127.0.0.1:8791] [--build]
//
// Without --origin it starts the whole platform itself (scripts/stack/start-stack.ts) on a fresh
// state directory: on a new database on the Postgres at TEST_POSTGRES_URL (default
// postgresql://postgres@127.0.0.1:5432/postgres) when one answers, else on embedded PGlite.
// Frames are timed with requestVideoFrameCallback (the compositor's presentation time).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { checkPostgres, recreateDatabase } from "../../scripts/stack/database.ts";
import { runToEnd } from "../../scripts/stack/processes.ts";
import { root, startStack } from "../../scripts/stack/start-stack.ts";
import { signUpCreator, uploadAndWaitReady } from "../../tests/support/api-calls.ts";
import { makeClip } from "../../tests/support/clips.ts";
import { launchChromium } from "../../tests/e2e/browser.ts";
import { gzipSize, lazyChunks, pageSizes } from "./js-size.ts";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "5" }, origin: { type: "string" }, build: { type: "boolean", default: false } },
});
const runs = Math.max(1, Number(args.runs));


// Injected before any page script: records presented frames, the first `playing`, and pointer presses.
const PROBE = `
  window.__bench = { frames: [], playing: null, press: null };
  addEventListener("pointerdown", (e) => { window.__bench.press ??= e.timeStamp; }, true);
  const hook = (v) => {
    if (v.__benchHooked) return;
    v.__benchHooked = true;
    const onFrame = (now, meta) => {
      window.__bench.frames.push({ now, mediaTime: meta.mediaTime, presented: meta.presentedFrames });
      if (window.__bench.frames.length < 50) v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    v.addEventListener("playing", () => { window.__bench.playing ??= performance.now(); });
  };
  new MutationObserver(() => { const v = document.querySelector("video"); if (v) hook(v); })
    .observe(document, { childList: true, subtree: true });
`;

type Probe = { frames: { now: number; mediaTime: number; presented: number }[]; playing: number | null; press: number | null };
const probe = (page: Page) => page.evaluate(() => (window as unknown as { __bench: Probe }).__bench);

async function platform(): Promise<{ origin: string; stop: () => Promise<void> }> {
  if (args.origin) return { origin: args.origin.replace(/\/$/, ""), stop: async () => undefined };
  if (args.build) await runToEnd(path.join(root, "node_modules", ".bin", "react-router"), ["build"], { cwd: root });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-bench-web-"));
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  let databaseUrl: string | undefined;
  try {
    await checkPostgres(server);
    databaseUrl = await recreateDatabase(server, "edge_video_bench_web");
  } catch {
    console.log("(no Postgres answering: using embedded PGlite)");
  }
  const stack = await startStack({ stateDir, build: false, sweepIntervalMs: 0, databaseUrl });
  return {
    origin: stack.origin,
    stop: async () => {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

async function freshPage(browser: Browser, origin: string): Promise<Page> {
  // A new context each time: empty HTTP cache, nothing warmed up.
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
  await context.addInitScript(PROBE);
  return context.newPage();
}

/** Navigation start → first presented frame, with autoplay. */
async function loadToFirstFrame(browser: Browser, origin: string, videoId: string) {
  const page = await freshPage(browser, origin);
  await page.goto(`/watch/${videoId}`);
  await page.waitForFunction(
    () => {
      const b = (window as unknown as { __bench: Probe }).__bench;
      return b.frames.length > 0 && b.playing !== null;
    },
    null,
    { timeout: 30_000 },
  );
  const p = await probe(page);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return { ttfb: n.responseStart, domInteractive: n.domInteractive };
  });
  await page.context().close();
  return { firstFrame: p.frames[0]!.now, playing: p.playing ?? NaN, ...nav };
}

/** Mouse press on Play → first frame presented after it. `settle`: wait until media is buffered first. */
async function playToFirstFrame(browser: Browser, origin: string, videoId: string, settle: boolean) {
  const page = await freshPage(browser, origin);
  await page.goto(`/watch/${videoId}?autoplay=0`);
  const play = page.getByRole("button", { name: "Play", exact: true });
  await play.waitFor();
  if (settle) {
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 3, null, { timeout: 30_000 });
    await page.waitForTimeout(300);
  }
  const box = (await play.boundingBox())!;
  await page.evaluate(() => {
    const b = (window as unknown as { __bench: Probe }).__bench;
    b.frames = [];
    b.playing = null;
    b.press = null;
  });
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(
    () => {
      const b = (window as unknown as { __bench: Probe }).__bench;
      return b.press !== null && b.frames.some((f) => f.now > b.press!);
    },
    null,
    { timeout: 30_000 },
  );
  // `playing` + currentTime > 0, as a cross-check of the frame callback.
  await page.waitForFunction(
    () => (document.querySelector("video")?.currentTime ?? 0) > 0 && (window as unknown as { __bench: Probe }).__bench.playing !== null,
    null,
    { timeout: 30_000 },
  );
  const p = await probe(page);
  await page.context().close();
  const first = p.frames.find((f) => f.now > p.press!)!;
  return { firstFrame: first.now - p.press!, playing: (p.playing ?? NaN) - p.press! };
}

/** Script bytes fetched by a page (gzipped by us: the local server sends them uncompressed). */
async function networkJs(browser: Browser, origin: string, url: string, cookies: { name: string; value: string }[] = []) {
  const context = await browser.newContext({ baseURL: origin });
  if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url: origin })));
  const page = await context.newPage();
  const scripts = new Map<string, Promise<number>>();
  page.on("response", (r) => {
    if (r.request().resourceType() === "script" && r.ok()) scripts.set(r.url(), r.body().then((b) => gzipSize(b)).catch(() => 0));
  });
  await page.goto(url, { waitUntil: "networkidle" });
  const sizes = await Promise.all(scripts.values());
  const lazy = [...scripts.keys()].filter((u) => /hls/.test(u)).length;
  await context.close();
  return { files: sizes.length, gzipBytes: sizes.reduce((a, b) => a + b, 0), lazy };
}

const started = Date.now();
const stack = await platform();
let browser: Browser | undefined;
try {
  const clipDir = await mkdtemp(path.join(os.tmpdir(), "edge-video-bench-clip-"));
  const clip = await makeClip(path.join(clipDir, "bench.mp4"), { seconds: 12, width: 1280, height: 720 });
  const creator = await signUpCreator(stack.origin, "Bench");
  const video = await uploadAndWaitReady(creator, new Uint8Array(await readFile(clip)), "Benchmark clip");
  await rm(clipDir, { recursive: true, force: true });
  const me = (await (await fetch(`${stack.origin}/api/me`, { headers: { authorization: `Bearer ${creator.token}` } })).json()) as { creator: { id: string } };

  browser = await launchChromium();
  // One warm-up of each kind (first Worker isolate, first transcoded reads), not counted.
  await loadToFirstFrame(browser, stack.origin, video.id);
  await playToFirstFrame(browser, stack.origin, video.id, true);

  const load: Awaited<ReturnType<typeof loadToFirstFrame>>[] = [];
  const settled: Awaited<ReturnType<typeof playToFirstFrame>>[] = [];
  const eager: Awaited<ReturnType<typeof playToFirstFrame>>[] = [];
  for (let i = 0; i < runs; i += 1) {
    load.push(await loadToFirstFrame(browser, stack.origin, video.id));
    settled.push(await playToFirstFrame(browser, stack.origin, video.id, true));
    eager.push(await playToFirstFrame(browser, stack.origin, video.id, false));
  }

  const cookie = [{ name: "access_token", value: creator.token }];
  const pages: [string, string, { name: string; value: string }[]][] = [
    ["home", "/", []],
    ["watch", `/watch/${video.id}?autoplay=0`, []],
    ["channel", `/c/${me.creator.id}`, []],
    ["search", "/search?q=benchmark", []],
    ["login", "/login", []],
    ["studio", "/studio", cookie],
    ["studio.upload", "/studio/upload", cookie],
  ];
  const network: Record<string, Awaited<ReturnType<typeof networkJs>>> = {};
  for (const [name, url, cookies] of pages) network[name] = await networkJs(browser, stack.origin, url, cookies);

  console.log(`\nWeb benchmark — ${runs} runs each, Chromium ${browser.version()}, ${stack.origin}, video 12 s 1280x720 (ladder ≤ 720p)\n`);
  console.log("| measure | median (min, max) |");
  console.log("| --- | --- |");
  console.log(`| press play → first frame (page settled, paused) | ${ms(settled.map((r) => r.firstFrame))} |`);
  console.log(`| press play → \`playing\` event (page settled) | ${ms(settled.map((r) => r.playing))} |`);
  console.log(`| press play as soon as interactive → first frame | ${ms(eager.map((r) => r.firstFrame))} |`);
  console.log(`| page load → first frame (autoplay) | ${ms(load.map((r) => r.firstFrame))} |`);
  console.log(`| page load → \`playing\` (autoplay) | ${ms(load.map((r) => r.playing))} |`);
  console.log(`| page load → first byte of HTML | ${ms(load.map((r) => r.ttfb))} |`);
  console.log(`| page load → DOM interactive | ${ms(load.map((r) => r.domInteractive))} |`);

  const kB = (n: number) => (n / 1000).toFixed(1);
  console.log("\n| page | JS before interactive, gzip (build) | JS fetched, gzip (network) |");
  console.log("| --- | --- | --- |");
  const built = new Map(pageSizes().map((p) => [p.route, p]));
  for (const [name] of pages) {
    const b = built.get(name);
    const n = network[name]!;
    console.log(`| ${name} | ${b ? `${kB(b.gzipBytes)} kB (${b.files} files)` : "?"} | ${kB(n.gzipBytes)} kB (${n.files} files${n.lazy ? ", incl. hls.js" : ""}) |`);
  }
  for (const c of lazyChunks(/^hls/)) console.log(`\nhls.js (light build), loaded by the watch page on demand: ${kB(c.gzipBytes)} kB gzip`);
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
} finally {
  await browser?.close();
  await stack.stop();
}
