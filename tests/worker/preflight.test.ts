// Production preflight (finding 7 and the PUBLIC_ORIGIN deploy blocker of issue #13): the real
// Worker entry, given a production configuration, refuses to serve while a secret is missing,
// short or a .dev.vars.example value, or PUBLIC_ORIGIN is not an https origin. The suite itself
// runs with ENVIRONMENT = "development" (tests/worker/vitest.config.ts), which skips the checks.
import { createExecutionContext, createMessageBatch, env, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "#worker/index.ts";
import { EXAMPLE_VARS } from "#worker/config/example-vars.ts";
import { MIN_SECRET_BYTES, SIGNING_SECRETS } from "#worker/config/secret-rules.ts";
import { queueNames } from "#worker/queues/names.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_TYPE } from "#worker/auth/tokens.ts";

const strong = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(48))));

/** A configuration that passes: what README "Deploying" asks an operator to set. */
function production(overrides: Partial<Env> = {}): Env {
  return {
    ...env,
    ENVIRONMENT: "production",
    PUBLIC_ORIGIN: "https://video.example.com",
    S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
    JWT_SECRET: strong(),
    CALLBACK_SECRET: strong(),
    MEDIA_SIGNING_SECRET: strong(),
    VIEWER_HASH_SECRET: strong(),
    S3_ACCESS_KEY_ID: "0123456789abcdef0123456789abcdef",
    S3_SECRET_ACCESS_KEY: strong(),
    ...overrides,
  };
}

type Refusal = { status: number; title: string; detail: string; failedChecks: { check: string; reason: string }[] };

async function get(path: string, config: Env, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`https://video.example.com${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch(request, config, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function refusal(path: string, config: Env, init?: RequestInit): Promise<Refusal> {
  const res = await get(path, config, init);
  expect(res.status, path).toBe(503);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Refusal;
}

let errors: string[] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("production preflight", () => {
  it("a complete production configuration serves", async () => {
    const res = await get("/api/health", production());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(errors).toEqual([]);
  });

  it(".dev.vars.example lists every signing secret, and its values are what the preflight refuses", () => {
    for (const name of SIGNING_SECRETS) expect(EXAMPLE_VARS.get(name), name).toBeTruthy();
    expect(EXAMPLE_VARS.get("ENVIRONMENT")).toBe("development");
  });

  it("refuses every example value, on every route, naming the check in /api/health and one log line", async () => {
    for (const name of SIGNING_SECRETS) {
      const config = production({ [name]: EXAMPLE_VARS.get(name)! });
      const logged = errors.length;
      const health = await refusal("/api/health", config);
      expect(health.failedChecks).toEqual([{ check: name, reason: "is a development example value from .dev.vars.example" }]);
      expect(health.detail).toContain(name);
      // Never the value itself.
      expect(JSON.stringify(health)).not.toContain(EXAMPLE_VARS.get(name)!);
      for (const path of ["/api/videos", "/", "/watch/00000000-0000-4000-8000-000000000000", "/media/videos/x/master.m3u8"]) await refusal(path, config);
      // One structured line for the whole isolate, not one per request.
      expect(errors.slice(logged)).toHaveLength(1);
      expect(JSON.parse(errors.at(-1)!)).toMatchObject({ level: "error", event: "preflight_failed", failed: [{ check: name }] });
    }
  });

  it("a token signed with the example JWT secret claiming admin gets nowhere", async () => {
    const secret = EXAMPLE_VARS.get("JWT_SECRET")!;
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256", typ: ACCESS_TOKEN_TYPE, kid: env.JWT_KEY_ID })
      .setSubject(crypto.randomUUID())
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(secret));
    const res = await get("/api/admin/reports", production({ JWT_SECRET: secret }), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
  });

  it("refuses missing and short secrets", async () => {
    const short = "x".repeat(MIN_SECRET_BYTES - 1);
    const body = await refusal("/api/health", production({ CALLBACK_SECRET: short, MEDIA_SIGNING_SECRET: "", S3_SECRET_ACCESS_KEY: undefined as unknown as string }));
    expect(body.failedChecks).toEqual([
      { check: "CALLBACK_SECRET", reason: `is shorter than ${MIN_SECRET_BYTES} bytes` },
      { check: "MEDIA_SIGNING_SECRET", reason: "is not set" },
      { check: "S3_SECRET_ACCESS_KEY", reason: "is not set" },
    ]);
    // 32 bytes is enough, counted in bytes (not characters).
    expect((await get("/api/health", production({ CALLBACK_SECRET: "é".repeat(16) }))).status).toBe(200);
    expect((await refusal("/api/health", production({ DATABASE_URL: "" }))).failedChecks).toEqual([{ check: "DATABASE_URL", reason: "is not set" }]);
  });

  it("refuses an empty or unusable PUBLIC_ORIGIN (the queue consumer has no request to fall back on)", async () => {
    const cases: [string, string][] = [
      ["", "is not set"],
      ["video.example.com", "is not an absolute URL"],
      ["http://video.example.com", "must use https"],
      ["https://video.example.com/app", "must be an origin (https://host), without a path"],
      ["https://user:pw@video.example.com", "must not carry credentials, a query or a fragment"],
    ];
    for (const [value, reason] of cases) {
      const body = await refusal("/api/health", production({ PUBLIC_ORIGIN: value }));
      expect(body.failedChecks, value).toEqual([{ check: "PUBLIC_ORIGIN", reason }]);
    }
    expect((await get("/api/health", production({ PUBLIC_ORIGIN: "https://video.example.com/" }))).status).toBe(200);
  });

  it("queue batches wait instead of running (or failing) while the configuration is unsafe", async () => {
    const batch = createMessageBatch(queueNames.transcode, [{ id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "plan", videoId: crypto.randomUUID() } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, production({ PUBLIC_ORIGIN: "" }), ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch).toMatchObject({ retry: true });
    expect(result.explicitAcks).toEqual([]);
  });
});
