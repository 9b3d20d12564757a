// Tests against the whole local platform (wrangler dev + transcoder + database), started the same
// way `npm run dev` starts it.
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  root,
  test: {
    name: "stack",
    include: ["tests/stack/**/*.test.ts"],
    environment: "node",
    // Each file starts its own stack; two at once would starve a 2-core machine.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
