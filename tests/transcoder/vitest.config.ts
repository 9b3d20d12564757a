// Transcoder suite: real FFmpeg on small generated clips and a real local R2 (wrangler dev),
// started once for all files in global-setup.ts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    name: "transcoder",
    environment: "node",
    include: ["tests/transcoder/**/*.test.ts"],
    globalSetup: ["tests/transcoder/global-setup.ts"],
    // Two cores: files run one after another so transcodes do not starve each other.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
