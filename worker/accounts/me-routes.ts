// /api/me: the signed-in user's account, becoming a creator, and the creators they follow.
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { reissueAccessToken } from "../auth/session.ts";
import { listFollowing } from "../creators/follows.ts";
import { presentCreator } from "../creators/present.ts";
import { AlreadyCreatorError, becomeCreator, findCreatorByUserId } from "../creators/queries.ts";
import { becomeCreatorSchema, type BecomeCreatorResult, type FollowedCreator, type Me, type Page } from "#contract/api.ts";
import { pageQuerySchema } from "../discovery/pagination.ts";
import { conflict, unauthorized } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { presentUser } from "./present.ts";
import { findUserById } from "./queries.ts";

export const meRoutes = new Hono<AppEnv>();

meRoutes.get("/", async (c) => {
  const auth = requireUser(c);
  const [user, creator] = await Promise.all([findUserById(c.var.db, auth.id), findCreatorByUserId(c.var.db, auth.id)]);
  if (!user) throw unauthorized("This account no longer exists.");
  c.header("cache-control", "private, no-store");
  return c.json({
    user: presentUser(user),
    creator: creator ? { id: creator.id, displayName: creator.displayName, bio: creator.bio } : null,
  } satisfies Me);
});

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
