// This isolate's own copies in front of the Cache API (worker/edge-cache/memory.ts): least
// recently used out first within the byte budget, large answers never held.
import { beforeEach, describe, expect, it } from "vitest";
import { forgetAll, recall, remember, type CopyData } from "#worker/edge-cache/memory.ts";

const copyOf = (bytes: number): CopyData => ({ status: 200, headers: [["content-type", "application/json"]], body: new ArrayBuffer(bytes) });
const url = (i: number) => `https://example.test/api/videos?page=${i}`;

beforeEach(() => forgetAll());

describe("memory copies", () => {
  it("keeps copies within the budget, dropping the least recently used first", () => {
    // 20 copies of 500 KiB = 10 MiB > the 8 MiB budget.
    for (let i = 0; i < 20; i++) {
      remember(url(i), copyOf(500 * 1024));
      if (i >= 1) recall(url(0)); // the first one stays in use
    }
    expect(recall(url(0))).toBeDefined();
    expect(recall(url(19))).toBeDefined();
    expect(recall(url(1))).toBeUndefined();
    const held = Array.from({ length: 20 }, (_, i) => recall(url(i))).filter(Boolean).length;
    expect(held * 500 * 1024).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(held).toBeGreaterThan(10);
  });

  it("never holds an answer over 512 KiB, and a new copy of a key replaces the old", () => {
    remember(url(1), copyOf(1024));
    remember(url(1), copyOf(600 * 1024));
    expect(recall(url(1))).toBeUndefined();
    remember(url(2), copyOf(10));
    remember(url(2), copyOf(20));
    expect(recall(url(2))?.body.byteLength).toBe(20);
  });
});
