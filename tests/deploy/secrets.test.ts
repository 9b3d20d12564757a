// README "Deploying", step 6: `openssl rand -base64 48 | npx wrangler secret put JWT_SECRET`.
// The installed wrangler reads the pipe (trimming the newline) and uploads what the production
// preflight asks for: at least MIN_SECRET_BYTES (worker/config/secret-rules.ts).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_SECRET_BYTES } from "#worker/config/secret-rules.ts";
import { ACCOUNT_ID, startApiStandIn } from "./cloudflare-api-stand-in.ts";

let api: Awaited<ReturnType<typeof startApiStandIn>>;
beforeAll(async () => (api = await startApiStandIn()));
afterAll(() => api.stop());

describe("generating and setting a secret (README Deploying, step 6)", () => {
  it("a piped `openssl rand -base64 48` becomes a 64-character secret", async () => {
    const generated = execFileSync("openssl", ["rand", "-base64", "48"], { encoding: "utf8" });
    const { code, output } = await api.run(["secret", "put", "JWT_SECRET"], generated);
    expect(output).toContain("Uploaded secret JWT_SECRET");
    expect(code).toBe(0);
    const put = api.seen.find((r) => r.method === "PUT");
    expect(put?.url).toBe(`/client/v4/accounts/${ACCOUNT_ID}/workers/scripts/edge-video/secrets`);
    const body = JSON.parse(put!.body) as { name: string; text: string; type: string };
    expect(body).toMatchObject({ name: "JWT_SECRET", type: "secret_text", text: generated.trim() });
    expect(new TextEncoder().encode(body.text).byteLength).toBeGreaterThanOrEqual(MIN_SECRET_BYTES);
  });
});
