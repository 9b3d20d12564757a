// Worker tests run inside workerd (@cloudflare/vitest-plugin) with the bindings of wrangler.toml:
// real local R2, Queues and Durable Objects, and real Postgres through the Neon driver and the
// WebSocket bridge that scripts/test.ts starts (it passes their addresses in the environment).
import path from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");
const required = ["TEST_DATABASE_URL", "TEST_EXPLAIN_DATABASE_URL", "TEST_NEON_WS_PROXY", "TEST_TRANSCODER_URL"] as const;
for (const name of required) {
  if (!process.env[name]) throw new Error(`${name} is not set: run the suites with \`npm test\``);
}

export default defineConfig({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          DATABASE_URL: process.env.TEST_DATABASE_URL!,
          TEST_EXPLAIN_DATABASE_URL: process.env.TEST_EXPLAIN_DATABASE_URL!,
          NEON_WS_PROXY: process.env.TEST_NEON_WS_PROXY!,
          TRANSCODER_URL: process.env.TEST_TRANSCODER_URL!,
          ENVIRONMENT: "development",
          PUBLIC_ORIGIN: "http://127.0.0.1:9",
          // Suites read lists right after writing rows; tests/worker/edge-cache.test.ts turns it on.
          EDGE_CACHE: "off",
          S3_ENDPOINT: "http://127.0.0.1:9/cdn-cgi/local/r2/s3",
          JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
          CALLBACK_SECRET: "test-callback-secret-0123456789abcdef",
          MEDIA_SIGNING_SECRET: "test-media-signing-secret-0123456789",
          VIEWER_HASH_SECRET: "test-viewer-hash-secret-0123456789",
          S3_ACCESS_KEY_ID: "devaccesskey0000",
          S3_SECRET_ACCESS_KEY: "devsecretkey00000000000000000000",
        },
        // HYPERDRIVE through a 100 ms relay (scripts/test.ts); the suite's NEON_WS_PROXY keeps every
        // other test on the Neon driver; one-connection.test.ts clears it to take this path.
        ...(process.env.TEST_HYPERDRIVE_URL ? { hyperdrives: { HYPERDRIVE: process.env.TEST_HYPERDRIVE_URL } } : {}),
      },
    }),
  ],
  resolve: {
    alias: { "virtual:react-router/server-build": path.join(root, "build/server/index.js") },
  },
  test: {
    name: "worker",
    include: ["tests/worker/**/*.test.ts"],
    testTimeout: 30_000,
    // One file at a time: the fuzz suite compares whole-database snapshots around each request.
    fileParallelism: false,
    hookTimeout: 30_000,
  },
});
