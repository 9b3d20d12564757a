import path from "node:path";
import { defineConfig } from "vitest/config";
export default defineConfig({ root: path.resolve(import.meta.dirname, "../.."), test: { name: "transcoder", include: ["tests/transcoder/**/*.test.ts"], environment: "node" } });
