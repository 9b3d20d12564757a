// Rate limits (RateLimiter and LoginGuard Durable Objects): login and sign-up, and the signed-in
// actions limited per account and per address (comments, likes, reports, follows here; uploads in
// videos.test.ts, where storage is down so that an allowed create is a 503). Every test uses fresh
// addresses (cf-connecting-ip) and emails so that tests never share a counter.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGIN_GUARD, unknownDeviceDelayMs } from "#worker/auth/login-guard.ts";
import { DEVICE_COOKIE } from "#worker/auth/login-throttle.ts";
import { ACCOUNT_ACTION_LIMITS, RATE_LIMITS, type AccountAction } from "#worker/auth/rate-limits.ts";
import { DEFAULT_PASSWORD, cookieAttributes, createApiClient, randomAddress, randomEmail, type Account } from "../support/api-client.ts";
import { seedVideo } from "./support/seed-video.ts";

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
    expect(RATE_LIMITS.signupPerAddress).toMatchObject({ limit: 20, windowSeconds: 3600 });
    expect(LOGIN_GUARD).toMatchObject({ perAddressLimit: 5, perAddressWindowSeconds: 300, freeFailures: 5, firstDelaySeconds: 2, maxDelaySeconds: 900 });
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

  it("per (account, address): attempt N+1 on one email from one address is 429, even with the right password", async () => {
    const { perAddressLimit, perAddressWindowSeconds } = LOGIN_GUARD;
    const account = await api.signUp({ email: randomEmail("Target") });
    const ip = randomAddress();
    for (let i = 0; i < perAddressLimit; i++) {
      const email = i % 2 ? account.email.toUpperCase() : account.email;
      expect((await login(email, ip)).status).toBe(401);
    }
    expect429(await login(account.email, ip, account.password), perAddressWindowSeconds);
    // Another account from the same address is not affected; nor is the owner's own address.
    const other = await api.signUp();
    expect((await login(other.email, ip, other.password)).status).toBe(200);
    expect((await login(account.email, account.ip, account.password)).status).toBe(200);
  });

  it("successful logins are given back: the owner can sign in again and again", async () => {
    const account = await api.signUp();
    const ip = randomAddress();
    // More than the (account, address) window allows, fewer than the per-address rule's limit.
    expect(LOGIN_GUARD.perAddressLimit + 3).toBeLessThan(RATE_LIMITS.loginPerAddress.limit);
    for (let i = 0; i < LOGIN_GUARD.perAddressLimit + 3; i++) {
      expect((await login(account.email, ip, DEFAULT_PASSWORD)).status).toBe(200);
    }
  });
});

// Finding 6 of issue #13: five wrong passwords from five addresses locked the owner out from a
// sixth. Now failures only make unknown devices wait; the owner's known device or address passes.
describe("login guard: no lockout of the owner", () => {
  const deviceOf = (res: { cookies: Record<string, string> }) => res.cookies[DEVICE_COOKIE]!;
  const withDevice = (email: string, ip: string, password: string, device: string) =>
    api.request("/api/auth/login", { method: "POST", ip, cookies: { [DEVICE_COOKIE]: device }, origin: null, json: { email, password } });

  it("five wrong passwords from five addresses: the owner's device and address still get in; strangers wait", async () => {
    const ownerIp = randomAddress();
    const signup = await api.request("/api/auth/signup", { method: "POST", ip: ownerIp, json: { email: randomEmail("owner"), password: DEFAULT_PASSWORD } });
    expect(signup.status).toBe(201);
    const email = (signup.body as { user: { email: string } }).user.email;
    const device = deviceOf(signup);
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookieAttributes(signup.setCookies, DEVICE_COOKIE)).toMatchObject({ httponly: "", path: "/api/auth", samesite: "Lax" });

    for (let i = 0; i < LOGIN_GUARD.freeFailures; i++) expect((await login(email, randomAddress())).status).toBe(401);

    // The owner, from a sixth address, with the browser that signed up: in at once.
    expect((await withDevice(email, randomAddress(), DEFAULT_PASSWORD, device)).status).toBe(200);
    // From the address that signed in before, without the cookie (an API client): in too.
    expect((await login(email, ownerIp, DEFAULT_PASSWORD)).status).toBe(200);
    // A made-up or foreign device id does not count as known.
    const stranger = await withDevice(email, randomAddress(), DEFAULT_PASSWORD, "A".repeat(43));
    expect429(stranger, LOGIN_GUARD.firstDelaySeconds);
    // An unknown device is delayed, not locked out: after Retry-After the right password works.
    expect429(await login(email, randomAddress(), DEFAULT_PASSWORD), LOGIN_GUARD.firstDelaySeconds);
    await new Promise((r) => setTimeout(r, LOGIN_GUARD.firstDelaySeconds * 1000 + 200));
    expect((await login(email, randomAddress(), DEFAULT_PASSWORD)).status).toBe(200);
  });

  it("an email that has no account is throttled exactly like one that has (no enumeration)", async () => {
    const real = await api.signUp();
    const ghost = randomEmail("ghost");
    for (const email of [real.email, ghost]) {
      const answers = [];
      for (let i = 0; i < LOGIN_GUARD.freeFailures + 1; i++) answers.push((await login(email, randomAddress())).status);
      expect(answers, email).toEqual([...Array(LOGIN_GUARD.freeFailures).fill(401), 429]);
    }
  });

  it("the wait for unknown devices doubles with each failure, up to a ceiling", () => {
    const { freeFailures, firstDelaySeconds, maxDelaySeconds } = LOGIN_GUARD;
    expect(unknownDeviceDelayMs(freeFailures - 1)).toBe(0);
    expect(unknownDeviceDelayMs(freeFailures)).toBe(firstDelaySeconds * 1000);
    expect(unknownDeviceDelayMs(freeFailures + 3)).toBe(firstDelaySeconds * 8 * 1000);
    expect(unknownDeviceDelayMs(freeFailures + 100)).toBe(maxDelaySeconds * 1000);
    // A botnet keeping up the pressure gets about one guess per ceiling: 96 a day instead of 7,200.
    expect((24 * 3600) / maxDelaySeconds).toBeLessThanOrEqual(96);
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

describe("signed-in actions: limited per account and per address", () => {
  it("uploads, comments, likes, reports and follows each have both rules", () => {
    expect(Object.keys(ACCOUNT_ACTION_LIMITS).sort()).toEqual(["comments", "follows", "likes", "reports", "uploads"]);
    for (const [perAccount, perAddress] of Object.values(ACCOUNT_ACTION_LIMITS)) {
      expect(perAccount.name).toMatch(/:account$/);
      expect(perAddress.name).toMatch(/:ip$/);
      expect(perAddress.limit).toBeGreaterThan(perAccount.limit);
    }
  });

  type Target = { videoId: string; creatorId: string };
  type Sent = { status: number; headers: Headers; body: unknown };
  // One request of each action (the i-th by that account: likes and follows toggle) and what an allowed one answers.
  const actions: Record<Exclude<AccountAction, "uploads">, { send: (as: Account, ip: string, i: number, t: Target) => Promise<Sent>; ok: number[] }> = {
    comments: { send: (as, ip, i, t) => api.request(`/api/videos/${t.videoId}/comments`, { method: "POST", as, ip, json: { body: `comment ${i}` } }), ok: [201] },
    likes: { send: (as, ip, i, t) => api.request(`/api/videos/${t.videoId}/like`, { method: i % 2 ? "DELETE" : "PUT", as, ip }), ok: [204] },
    // A repeated report answers 200 with the first one's id, and still counts.
    reports: { send: (as, ip, _i, t) => api.request("/api/reports", { method: "POST", as, ip, json: { target: { kind: "video", id: t.videoId }, reason: "spam" } }), ok: [200, 201] },
    follows: { send: (as, ip, i, t) => api.request(`/api/creators/${t.creatorId}/follow`, { method: i % 2 ? "DELETE" : "PUT", as, ip }), ok: [204] },
  };

  let target: Target;
  beforeAll(async () => {
    const owner = await api.signUpCreator("Rate-limited channel");
    target = { videoId: await seedVideo(owner.creatorId!), creatorId: owner.creatorId! };
  });

  for (const [name, action] of Object.entries(actions) as [keyof typeof actions, (typeof actions)[keyof typeof actions]][]) {
    const [perAccount, perAddress] = ACCOUNT_ACTION_LIMITS[name];

    it(`${name} per account: request N+1 by one account is 429 from any address; other accounts are unaffected`, async () => {
      const account = await api.signUp();
      for (let i = 0; i < perAccount.limit; i++) expect(action.ok, `${name} #${i}`).toContain((await action.send(account, randomAddress(), i, target)).status);
      expect429(await action.send(account, randomAddress(), perAccount.limit, target), perAccount.windowSeconds);
      expect(action.ok).toContain((await action.send(await api.signUp(), randomAddress(), 0, target)).status);
    });

    it(`${name} per address: request N+1 from one address (any of one IPv6 /64) is 429 across accounts; other addresses are unaffected`, async () => {
      const prefix = randomAddress().split(":").slice(0, 4).join(":");
      const inPrefix = (i: number) => `${prefix}::${(i + 1).toString(16)}`;
      // Enough accounts that none reaches its own limit first.
      const accounts = await Promise.all(Array.from({ length: Math.ceil(perAddress.limit / perAccount.limit) }, () => api.signUp()));
      for (let i = 0; i < perAddress.limit; i++) {
        const by = Math.floor(i / perAccount.limit);
        expect(action.ok, `${name} #${i}`).toContain((await action.send(accounts[by]!, inPrefix(i), i % perAccount.limit, target)).status);
      }
      const fresh = await api.signUp();
      expect429(await action.send(fresh, inPrefix(perAddress.limit), 0, target), perAddress.windowSeconds);
      // The same fresh account from another address is served.
      expect(action.ok).toContain((await action.send(fresh, randomAddress(), 0, target)).status);
    }, 120_000);
  }
});
