// /api/me: the signed-in user's account, becoming a creator, the creators they follow, and (for
// creators) their analytics.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { reissueAccessToken } from "../auth/session.ts";
import { listFollowing } from "../creators/follows.ts";
import { presentCreator } from "../creators/present.ts";
import { AlreadyCreatorError, becomeCreator, findCreatorByUserId } from "../creators/queries.ts";
import { becomeCreatorSchema, type BecomeCreatorResult, type FollowedCreator, type Page, type Stats } from "#contract/api.ts";
import { pageQuerySchema } from "../discovery/pagination.ts";
import { creatorStats } from "../creators/stats.ts";
import { conflict, forbidden, unauthorized, unprocessable } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { presentUser } from "./present.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import { publicQuota } from "../quotas/quota.ts";
import type { MeWithQuota } from "#contract/quotas.ts";
import { findAccount, findUserById } from "./queries.ts";

export const meRoutes = new Hono<AppEnv>();

meRoutes.get("/", async (c) => {
  const auth = requireUser(c);
  // One statement: the account, the creator profile and its quota (issue #12).
  const found = await findAccount(c.var.db, c.env, auth.id);
  if (!found) throw unauthorized("This account no longer exists.");
  const { user, creator, quota } = found;
  c.header("cache-control", "private, no-store");
  return c.json({
    user: presentUser(user),
    creator: creator ? { id: creator.id, displayName: creator.displayName, bio: creator.bio } : null,
    ...(creator && quota ? { quota: publicQuota(quota) } : {}),
  } satisfies MeWithQuota);
});

// GET /api/me/notifications, POST /api/me/notifications/read (worker/notifications).
meRoutes.route("/notifications", notificationRoutes);

meRoutes.post("/creator", async (c) => {
  const auth = requireUser(c);
  const input = await readJson(c, becomeCreatorSchema);
  const user = await findUserById(c.var.db, auth.id);
  if (!user) throw unauthorized("This account no longer exists.");
  let result;
  try {
    result = await becomeCreator(c.var.db, auth.id, { displayName: input.displayName, bio: input.bio });
  } catch (err) {
    if (err instanceof AlreadyCreatorError) throw conflict("You already have a creator profile.");
    throw err;
  }
  // The role changed: hand out a token that says so, so creator routes work at once.
  const accessToken = await reissueAccessToken(c, { id: auth.id, role: result.role, via: auth.via });
  return c.json({ ...presentCreator(result.creator, false), accessToken } satisfies BecomeCreatorResult, 201);
});

meRoutes.get("/following", async (c) => {
  const auth = requireUser(c);
  const page = parseWith(pageQuerySchema, c.req.query());
  const { items, nextCursor } = await listFollowing(c.var.db, auth.id, page);
  c.header("cache-control", "private, no-store");
  return c.json({
    items: items.map((creator) => ({ ...presentCreator(creator, true), followedAt: creator.followedAt.toISOString() })),
    nextCursor,
  } satisfies Page<FollowedCreator>);
});

const dateText = z.iso.date();
const statsQuery = z.object({ from: dateText.optional(), to: dateText.optional() });

meRoutes.get("/stats", async (c) => {
  const user = requireUser(c);
  const creator = await findCreatorByUserId(c.var.db, user.id);
  if (!creator) throw forbidden("Only creators have analytics.");
  const input = parseWith(statsQuery, c.req.query());
  const today = new Date().toISOString().slice(0, 10);
  const to = input.to ?? today;
  const from = input.from ?? new Date(Date.parse(to) - 27 * 86_400_000).toISOString().slice(0, 10);
  const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (span < 0) throw unprocessable("`from` must not be after `to`.", [{ path: "from", message: "after to" }]);
  if (span > 366) throw unprocessable("Ask for at most a year at a time.", [{ path: "from", message: "range too long" }]);
  return c.json((await creatorStats(c.var.db, creator.id, from, to)) satisfies Stats);
});
