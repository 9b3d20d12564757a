// README "Deploying", step 5: `wrangler deploy` with this wrangler.toml. Read with the installed
// wrangler's own config reader, and bundled with `wrangler deploy --dry-run` (no account, no
// Docker), as far as an offline machine can follow the steps.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

const root = path.resolve(import.meta.dirname, "../..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const config = unstable_readConfig({ config: path.join(root, "wrangler.toml") });
const vars = config.vars as Record<string, string>;

describe("wrangler.toml for production", () => {
  it("runs the production preflight unless told it is development, and leaves PUBLIC_ORIGIN to the operator", () => {
    expect(vars.ENVIRONMENT).toBe("production");
    // Empty until set in [vars] (README step 4): the Worker then refuses to serve, never guesses.
    expect(vars.PUBLIC_ORIGIN).toBe("");
    expect(vars.S3_ENDPOINT).toBe("");
  });

  it("Workers Logs: no line per request, head sampling set", () => {
    expect(config.observability?.enabled).toBe(true);
    expect(config.observability?.head_sampling_rate).toBeGreaterThan(0);
    expect(config.observability?.head_sampling_rate).toBeLessThan(1);
    expect(config.observability?.logs?.invocation_logs).toBe(false);
  });

  it("declares the login guard Durable Object with a migration", () => {
    expect(config.durable_objects.bindings.map((b: { class_name: string }) => b.class_name)).toContain("LoginGuard");
    expect(config.migrations.flatMap((m: { new_sqlite_classes?: string[] }) => m.new_sqlite_classes ?? [])).toContain("LoginGuard");
  });

  it("binds Hyperdrive as HYPERDRIVE, with a placeholder id the operator replaces (README step 4)", () => {
    const [binding, ...others] = config.hyperdrive;
    expect(others).toEqual([]);
    expect(binding?.binding).toBe("HYPERDRIVE");
    expect(binding?.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("`wrangler deploy --dry-run` bundles the Worker, with .dev.vars.example inside for the preflight", async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), "edge-video-dry-run-"));
    try {
      const { stdout, stderr } = await promisify(execFile)(wrangler, ["deploy", "--dry-run", "--outdir", out, "--containers-rollout=none"], {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: out },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stdout + stderr).toMatch(/--dry-run: exiting now/);
      const bundled = await readdir(out, { recursive: true });
      const example = await readFile(path.join(root, ".dev.vars.example"), "utf8");
      const jwtExample = /^JWT_SECRET=(.+)$/m.exec(example)![1]!;
      const sources = await Promise.all(bundled.filter((f) => /\.(js|mjs|txt)$|dev\.vars\.example$/.test(f)).map((f) => readFile(path.join(out, f), "utf8")));
      expect(sources.some((text) => text.includes(jwtExample))).toBe(true);
      // node-postgres's Workers socket (the "workerd" build of pg-cloudflare), not its empty stub.
      expect(sources.some((text) => text.includes("cloudflare:sockets"))).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
