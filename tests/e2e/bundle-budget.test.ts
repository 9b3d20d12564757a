// JavaScript budgets, from the web build the test runner makes before the suites: the home page
// stays within 120 kB gzipped, and hls.js never ships with the pages that do not play video.
import { describe, expect, it } from "vitest";
import { pageSizes, readManifest } from "../../bench/web/js-size.ts";

describe("web bundle budgets", () => {
  const pages = new Map(pageSizes().map((p) => [p.route, p]));

  it("home page JavaScript ≤ 120 kB gzipped", () => {
    const home = pages.get("home")!;
    expect(home.gzipBytes).toBeLessThanOrEqual(120_000);
  });

  it("hls.js is loaded on demand only: no page imports it up front", () => {
    const { manifest } = readManifest();
    for (const [id, route] of Object.entries(manifest.routes)) {
      for (const file of [route.module, ...(route.imports ?? [])]) expect(file, id).not.toMatch(/hls/i);
    }
    for (const file of [manifest.entry.module, ...manifest.entry.imports]) expect(file).not.toMatch(/hls/i);
  });
});
