// Every suite; `npm test` (scripts/test.ts) prepares the real services they need and runs them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["tests/worker/vitest.config.ts", "tests/transcoder/vitest.config.ts", "tests/stack/vitest.config.ts", "tests/e2e/vitest.config.ts", "tests/deploy/vitest.config.ts"],
  },
});
