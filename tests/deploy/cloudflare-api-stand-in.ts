// A loopback stand-in for the Cloudflare API: the installed wrangler runs a README command for
// real (CLOUDFLARE_API_BASE_URL points here), and the test sees the requests it would make.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const root = path.resolve(import.meta.dirname, "../..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

export type SeenRequest = { method: string; url: string; body: string };

export async function startApiStandIn() {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? "", url: req.url ?? "", body });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ success: true, errors: [], messages: [], result: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;

  /** Runs `wrangler <args>` against the stand-in; `stdin` is piped in (a non-interactive shell). */
  function run(args: string[], stdin = ""): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(wrangler, args, {
        cwd: root,
        env: {
          ...process.env,
          CLOUDFLARE_API_BASE_URL: baseUrl,
          CLOUDFLARE_API_TOKEN: "offline-test-token",
          CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_LOG_PATH: os.tmpdir(),
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output }));
      child.stdin.end(stdin);
    });
  }

  return { seen, run, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
