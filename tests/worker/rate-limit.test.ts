// Login and sign-up rate limits (RateLimiter Durable Object). Every test uses fresh addresses
// (cf-connecting-ip) and emails so that tests never share a counter.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RATE_LIMITS } from "#worker/auth/rate-limits.ts";
import { DEFAULT_PASSWORD, createApiClient, randomAddress, randomEmail } from "../support/api-client.ts";

const api = createApiClient(SELF);

const login = (email: string, ip: string, password = "wrong password!!") =>
  api.request("/api/auth/login", { method: "POST", ip, json: { email, password } });

function expect429(res: { status: number; headers: Headers; body: unknown }, windowSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 429, title: "Too Many Requests" });
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe("login rate limits", () => {
  it("limits are data in one place", () => {
    expect(RATE_LIMITS.loginPerAddress).toMatchObject({ limit: 10, windowSeconds: 60 });
    expect(RATE_LIMITS.loginPerAccount).toMatchObject({ limit: 5, windowSeconds: 60 });
    expect(RATE_LIMITS.signupPerAddress).toMatchObject({ limit: 20, windowSeconds: 3600 });
  });

  it("per address: attempt N+1 from one address is 429 with Retry-After; other addresses are unaffected", async () => {
    const { limit, windowSeconds } = RATE_LIMITS.loginPerAddress;
    const ip = randomAddress();
    for (let i = 0; i < limit; i++) expect((await login(randomEmail(), ip)).status).toBe(401);
    expect429(await login(randomEmail(), ip), windowSeconds);
    // Even the right password is refused while the window lasts.
    const account = await api.signUp();
    expect429(await login(account.email, ip, account.password), windowSeconds);
    // The counter is per address: someone else still gets an answer.
    expect((await login(randomEmail(), randomAddress())).status).toBe(401);
  });

  it("per account: attempt N+1 on one email (any capitalisation, any address) is 429", async () => {
    const { limit, windowSeconds } = RATE_LIMITS.loginPerAccount;
    const account = await api.signUp({ email: randomEmail("Target") });
    for (let i = 0; i < limit; i++) {
      const email = i % 2 ? account.email.toUpperCase() : account.email;
      expect((await login(email, randomAddress())).status).toBe(401);
    }
    expect429(await login(account.email, randomAddress(), account.password), windowSeconds);
    // Another account from the same addresses is not affected.
    const other = await api.signUp();
    expect((await login(other.email, randomAddress(), other.password)).status).toBe(200);
  });

  it("successful logins count as attempts too", async () => {
    const { limit } = RATE_LIMITS.loginPerAccount;
    const account = await api.signUp();
    for (let i = 0; i < limit; i++) expect((await login(account.email, randomAddress(), DEFAULT_PASSWORD)).status).toBe(200);
    expect((await login(account.email, randomAddress(), DEFAULT_PASSWORD)).status).toBe(429);
  });
});

describe("sign-up rate limit", () => {
  it("per address: sign-up N+1 from one address is 429 with Retry-After", async () => {
    const { limit, windowSeconds } = RATE_LIMITS.signupPerAddress;
    const ip = randomAddress();
    const signUp = () => api.request("/api/auth/signup", { method: "POST", ip, json: { email: randomEmail(), password: DEFAULT_PASSWORD } });
    for (let i = 0; i < limit; i++) expect((await signUp()).status).toBe(201);
    expect429(await signUp(), windowSeconds);
    expect((await api.request("/api/auth/signup", { method: "POST", json: { email: randomEmail(), password: DEFAULT_PASSWORD } })).status).toBe(201);
  });
});
