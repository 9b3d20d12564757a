// README "Deploying" step 1: `wrangler r2 bucket cors set edge-video-media --file deploy/r2-cors.json`.
// The installed wrangler runs that exact command against a stand-in for the Cloudflare API on
// loopback (CLOUDFLARE_API_BASE_URL), so its own validation runs and we see the body it would
// send to R2's "Put Bucket CORS Policy"; that body is then checked against R2's documented shape.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ACCOUNT_ID, startApiStandIn } from "./cloudflare-api-stand-in.ts";

const root = path.resolve(import.meta.dirname, "../..");
const CORS_FILE = path.join(root, "deploy", "r2-cors.json");

// R2's CORS rule (developers.cloudflare.com/api/resources/r2/subresources/buckets/subresources/cors).
const r2CorsPolicy = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        allowed: z.strictObject({
          origins: z.array(z.string()).min(1),
          methods: z.array(z.enum(["GET", "PUT", "POST", "DELETE", "HEAD"])).min(1),
          headers: z.array(z.string()).optional(),
        }),
        exposeHeaders: z.array(z.string()).optional(),
        maxAgeSeconds: z.number().int().min(0).max(86_400).optional(),
      }),
    )
    .min(1),
});

let api: Awaited<ReturnType<typeof startApiStandIn>>;
beforeAll(async () => (api = await startApiStandIn()));
afterAll(() => api.stop());

const corsSet = (file: string) => api.run(["r2", "bucket", "cors", "set", "edge-video-media", "--file", file, "--force"]);

describe("R2 CORS rule (README Deploying, step 1)", () => {
  it("deploy/r2-cors.json is R2's format and lets browsers PUT parts and read the ETag", async () => {
    const policy = r2CorsPolicy.parse(JSON.parse(await readFile(CORS_FILE, "utf8")));
    const rule = policy.rules[0]!;
    expect(rule.allowed.methods).toContain("PUT");
    expect(rule.exposeHeaders).toContain("ETag");
    for (const origin of rule.allowed.origins) expect(new URL(origin).origin).toBe(origin);
  });

  it("the installed wrangler accepts the file and sends R2 exactly that policy", async () => {
    api.seen.length = 0;
    const { code, output } = await corsSet(CORS_FILE);
    expect(output).toContain("Set CORS configuration");
    expect(code).toBe(0);
    const put = api.seen.find((r) => r.method === "PUT");
    expect(put?.url).toBe(`/client/v4/accounts/${ACCOUNT_ID}/r2/buckets/edge-video-media/cors`);
    const sent = r2CorsPolicy.parse(JSON.parse(put!.body));
    expect(sent).toEqual(JSON.parse(await readFile(CORS_FILE, "utf8")));
  });

  it("the S3-format rule the README used to give is refused by the same wrangler", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "r2-cors-"));
    const s3 = path.join(dir, "cors.json");
    await writeFile(s3, JSON.stringify([{ AllowedOrigins: ["https://your.app"], AllowedMethods: ["PUT", "GET", "HEAD"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 3600 }]));
    api.seen.length = 0;
    const { code, output } = await corsSet(s3);
    expect(code).not.toBe(0);
    expect(output).toMatch(/rules/);
    expect(api.seen.filter((r) => r.method === "PUT")).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});
