// Checks of the production path in README "Deploying" that run offline: the files an operator
// hands to wrangler and Docker, driven through the installed wrangler where it can be.
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  root,
  test: {
    name: "deploy",
    include: ["tests/deploy/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
  },
});
