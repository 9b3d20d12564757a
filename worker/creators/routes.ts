// /api/creators: public profiles, owner/admin edits, follow and unfollow, and the channel's videos.
import { Hono, type Context } from "hono";
import { isForeignKeyViolation } from "#db/errors.ts";
import type { AppEnv } from "../context.ts";
import { isAdmin, requireUser } from "../auth/guards.ts";
import { limitAccountAction } from "../auth/rate-limits.ts";
import { forbidden, notFound, unprocessable } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { listChannel } from "../discovery/list-queries.ts";
import { decodeCursor, pageQuerySchema, timeCursor } from "../discovery/pagination.ts";
import { byCreated, byPublished, videoPage } from "../videos/respond.ts";
import { follow, unfollow } from "./follows.ts";
import { presentCreator } from "./present.ts";
import { findCreatorById, getCreatorProfile, updateCreator } from "./queries.ts";
import { creatorIdParam, updateCreatorSchema } from "#contract/api.ts";

export const creatorRoutes = new Hono<AppEnv>();

function creatorId(c: Context<AppEnv>): string {
  const id = creatorIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such creator.");
  return id.data;
}

creatorRoutes.get("/:id", async (c) => {
  const id = creatorId(c);
  const profile = await getCreatorProfile(c.var.db, id, c.var.user?.id ?? null);
  if (!profile) throw notFound("No such creator.");
  // `following` depends on who asks, so no shared cache may keep this.
  c.header("cache-control", "private, no-cache");
  return c.json(presentCreator(profile, profile.following));
});

creatorRoutes.patch("/:id", async (c) => {
  const user = requireUser(c);
  const id = creatorId(c);
  const creator = await findCreatorById(c.var.db, id);
  if (!creator) throw notFound("No such creator.");
  // Ownership comes from the database (creators.user_id), not from the token's role.
  if (creator.userId !== user.id && !isAdmin(user)) throw forbidden("Only the creator (or an admin) can edit this profile.");
  const input = await readJson(c, updateCreatorSchema);
  await updateCreator(c.var.db, id, input);
  const profile = await getCreatorProfile(c.var.db, id, user.id);
  if (!profile) throw notFound("No such creator.");
  return c.json(presentCreator(profile, profile.following));
});

creatorRoutes.put("/:id/follow", async (c) => {
  const user = requireUser(c);
  const id = creatorId(c);
  const creator = await findCreatorById(c.var.db, id);
  if (!creator) throw notFound("No such creator.");
  if (creator.userId === user.id) {
    throw unprocessable("You cannot follow yourself.", [{ path: "id", message: "This is your own creator profile." }]);
  }
  await limitAccountAction(c, "follows", user.id);
  try {
    await follow(c.var.db, user.id, id);
  } catch (err) {
    // A follow that raced with the creator's deletion violates the foreign key: that is a 404 too.
    if (isForeignKeyViolation(err)) throw notFound("No such creator.");
    throw err;
  }
  return c.body(null, 204);
});

creatorRoutes.delete("/:id/follow", async (c) => {
  const user = requireUser(c);
  const id = creatorId(c);
  const creator = await findCreatorById(c.var.db, id);
  if (!creator) throw notFound("No such creator.");
  await limitAccountAction(c, "follows", user.id);
  await unfollow(c.var.db, user.id, id);
  return c.body(null, 204);
});

// The channel: public videos newest first; the owner (and admins) see all of theirs, newest made first.
creatorRoutes.get("/:id/videos", async (c) => {
  const id = creatorId(c);
  const { limit, cursor } = parseWith(pageQuerySchema, c.req.query());
  const after = decodeCursor(cursor, timeCursor);
  const user = c.var.user;
  // The creator and the list most callers see are read side by side (one round trip on a
  // pipelined connection); the owner, known only from the creator's row, reads theirs after.
  const admin = isAdmin(user);
  const [creator, listed] = await Promise.all([findCreatorById(c.var.db, id), listChannel(c.var.db, id, limit, after, admin)]);
  if (!creator) throw notFound("No such creator.");
  const everything = admin || (!!user && user.id === creator.userId);
  const list = everything === admin ? listed : await listChannel(c.var.db, id, limit, after, true);
  return c.json(await videoPage(c, list, limit, everything ? byCreated : byPublished));
});
