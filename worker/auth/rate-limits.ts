// Rate limits (credential endpoints, view reports, upload creation, comments, likes, reports and
// follows), in one place as data. Each rule counts attempts per key in a fixed window held by one
// RateLimiter Durable Object per (rule, key); view reports use Cloudflare's rate limiting instead
// (limitViewReports).
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { addressBucket } from "../http/address-bucket.ts";
import { Problem } from "../http/problem.ts";
import type { RateDecision } from "./rate-limiter.ts";

export type RateRule = { name: string; limit: number; windowSeconds: number };

export const RATE_LIMITS = {
  /** Password guessing from one address, across accounts (per-account rules: login-guard.ts). */
  loginPerAddress: { name: "login:ip", limit: 10, windowSeconds: 60 },
  /** Mass account creation from one address. */
  signupPerAddress: { name: "signup:ip", limit: 20, windowSeconds: 3600 },
  /** Token refreshes from one address (tokens are unguessable; this only bounds load). */
  refreshPerAddress: { name: "refresh:ip", limit: 120, windowSeconds: 60 },
  /** View reports from one address (an anonymous viewer counts once per video per hour anyway). */
  viewsPerAddress: { name: "views:ip", limit: 30, windowSeconds: 60 },
  /** New uploads (each a multipart upload in storage) by one account. */
  uploadsPerAccount: { name: "uploads:account", limit: 20, windowSeconds: 3600 },
  /** New uploads from one address, across accounts. */
  uploadsPerAddress: { name: "uploads:ip", limit: 40, windowSeconds: 3600 },
  /** New comments and edits by one account (a person types far slower than this). */
  commentsPerAccount: { name: "comments:account", limit: 10, windowSeconds: 60 },
  /** New comments and edits from one address, across accounts. */
  commentsPerAddress: { name: "comments:ip", limit: 30, windowSeconds: 60 },
  /** Like and unlike clicks by one account. */
  likesPerAccount: { name: "likes:account", limit: 60, windowSeconds: 60 },
  /** Like and unlike clicks from one address, across accounts. */
  likesPerAddress: { name: "likes:ip", limit: 200, windowSeconds: 60 },
  /** Reports filed by one account (moderation/report-routes.ts). */
  reportsPerAccount: { name: "reports:account", limit: 20, windowSeconds: 3600 },
  /** Reports filed from one address, across accounts. */
  reportsPerAddress: { name: "reports:ip", limit: 60, windowSeconds: 3600 },
  /** Follow and unfollow clicks by one account (each moves a counter and the follower's feed). */
  followsPerAccount: { name: "follows:account", limit: 30, windowSeconds: 60 },
  /** Follow and unfollow clicks from one address, across accounts. */
  followsPerAddress: { name: "follows:ip", limit: 100, windowSeconds: 60 },
} as const satisfies Record<string, RateRule>;

/** Signed-in actions limited both per account and per address: [per account, per address]. */
export const ACCOUNT_ACTION_LIMITS = {
  uploads: [RATE_LIMITS.uploadsPerAccount, RATE_LIMITS.uploadsPerAddress],
  comments: [RATE_LIMITS.commentsPerAccount, RATE_LIMITS.commentsPerAddress],
  likes: [RATE_LIMITS.likesPerAccount, RATE_LIMITS.likesPerAddress],
  reports: [RATE_LIMITS.reportsPerAccount, RATE_LIMITS.reportsPerAddress],
  follows: [RATE_LIMITS.followsPerAccount, RATE_LIMITS.followsPerAddress],
} as const satisfies Record<string, readonly [RateRule, RateRule]>;

export type AccountAction = keyof typeof ACCOUNT_ACTION_LIMITS;

/** The client address as Cloudflare reports it; never taken from X-Forwarded-For. */
export const clientAddress = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip")?.trim() || "unknown";

export const accountKey = (email: string) => email.trim().toLowerCase();

async function hit(env: Env, rule: RateRule, key: string): Promise<RateDecision> {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule.name}:${key}`));
  return stub.hit(rule.limit, rule.windowSeconds);
}

const tooManyAttempts = (retryAfter: number) =>
  new Problem({
    status: 429,
    detail: `Too many attempts. Try again in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`,
    headers: { "retry-after": String(retryAfter) },
  });

/** Counts one attempt against every (rule, key) pair; throws 429 with Retry-After if any is over. */
export async function enforceRateLimits(env: Env, checks: [RateRule, string][]): Promise<void> {
  const decisions = await Promise.all(checks.map(([rule, key]) => hit(env, rule, key)));
  const refused = decisions.filter((d) => !d.allowed);
  if (refused.length === 0) return;
  throw tooManyAttempts(Math.max(...refused.map((d) => d.retryAfterSeconds)));
}

/**
 * Counts one view report from `address` (its subscriber's bucket) with Cloudflare's rate limiting
 * (the VIEWS_RATE_LIMITER binding, wrangler.toml: the numbers of RATE_LIMITS.viewsPerAddress), not
 * a RateLimiter object: anonymous view reports come from every address that plays a video, and a
 * Durable Object created, stored and alarmed per address was their dearest part (decision 0015).
 * The binding does not say when its window ends: Retry-After is the whole window.
 */
export async function limitViewReports(env: Env, address: string): Promise<void> {
  const { success } = await env.VIEWS_RATE_LIMITER.limit({ key: addressBucket(address) });
  if (!success) throw tooManyAttempts(RATE_LIMITS.viewsPerAddress.windowSeconds);
}

/**
 * Counts one `action` by the signed-in user against both its rules: per account, and per address
 * (one subscriber's bucket: an IPv6 /64 counts as one address). Throws 429 when either is over.
 */
export async function limitAccountAction(c: Context<AppEnv>, action: AccountAction, userId: string): Promise<void> {
  const [perAccount, perAddress] = ACCOUNT_ACTION_LIMITS[action];
  await enforceRateLimits(c.env, [
    [perAccount, userId],
    [perAddress, addressBucket(clientAddress(c))],
  ]);
}
