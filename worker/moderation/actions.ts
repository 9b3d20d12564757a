// The admin's actions and their reversals. Each changes the database, records itself in
// moderation_log, and makes the change visible at once here: media by the private marker (the
// /media route checks it before any cache, media/routes.ts), cached lists and pages by a new edge
// generation (edge-cache/purge.ts). Other data centers follow within the edge TTL.
import type { Context } from "hono";
import { and, eq, isNotNull, isNull, ne, sql, type SQL } from "drizzle-orm";
import { mediaKeys } from "#contract/media-layout.ts";
import type { ModerationAction } from "#contract/api.ts";
import { comments, creators, refreshTokens, users, videos } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import { purgePublicReads } from "../edge-cache/purge.ts";
import { conflict, notFound } from "../http/problem.ts";
import { listVideoKeys, purgeCachedMedia } from "../media/purge.ts";
import { logAction } from "./report-queries.ts";

type Ctx = Context<AppEnv>;
type Logged = { adminId: string; reportId?: string | null };

/** Unsigned media URLs of these videos answer 404 from now on; cached copies are dropped. */
async function hideMedia(c: Ctx, videoIds: string[]): Promise<void> {
  await Promise.all(videoIds.map((id) => c.env.MEDIA.put(mediaKeys(id).privateMarker, "")));
  const origin = new URL(c.req.url).origin;
  c.executionCtx.waitUntil(Promise.all(videoIds.map(async (id) => purgeCachedMedia(origin, await listVideoKeys(c.env.MEDIA, id)))));
}

async function showMedia(c: Ctx, videoIds: string[]): Promise<void> {
  await Promise.all(videoIds.map((id) => c.env.MEDIA.delete(mediaKeys(id).privateMarker)));
}

async function exists(c: Ctx, query: SQL): Promise<boolean> {
  return (await c.var.db.execute(query)).rows.length > 0;
}

async function afterChange(c: Ctx, entry: Logged & { action: ModerationAction; targetKind: "video" | "comment" | "creator"; targetId: string }) {
  await logAction(c.var.db, entry);
  await purgePublicReads(c.req.url);
}

/** Takes a video down for everyone but admins. */
export async function removeVideo(c: Ctx, videoId: string, log: Logged): Promise<void> {
  const [row] = await c.var.db
    .update(videos)
    .set({ removedAt: sql`coalesce(${videos.removedAt}, now())` })
    .where(eq(videos.id, videoId))
    .returning({ visibility: videos.visibility });
  if (!row) return; // deleted meanwhile: nothing left to take down
  if (row.visibility !== "private") await hideMedia(c, [videoId]);
  await afterChange(c, { ...log, action: "remove", targetKind: "video", targetId: videoId });
}

/** Reverses a removal; a video that is not removed is left alone (and nothing is logged). */
export async function restoreVideo(c: Ctx, videoId: string, log: Logged): Promise<void> {
  const [row] = await c.var.db
    .update(videos)
    .set({ removedAt: null })
    .where(and(eq(videos.id, videoId), isNotNull(videos.removedAt)))
    .returning({
      visibility: videos.visibility,
      suspended: sql<boolean>`exists (select 1 from ${creators} sc join ${users} su on su.id = sc.user_id where sc.id = ${videos.creatorId} and su.suspended_at is not null)`,
    });
  if (!row) {
    if (!(await exists(c, sql`select 1 from ${videos} where id = ${videoId}`))) throw notFound("No such video.");
    return;
  }
  // Still hidden while private or while its creator is suspended.
  if (row.visibility !== "private" && !row.suspended) await showMedia(c, [videoId]);
  await afterChange(c, { ...log, action: "unremove", targetKind: "video", targetId: videoId });
}

/** A removed comment shows as a tombstone (comments/present.ts). */
export async function removeComment(c: Ctx, commentId: string, log: Logged): Promise<void> {
  const rows = await c.var.db
    .update(comments)
    .set({ removedAt: sql`coalesce(${comments.removedAt}, now())` })
    .where(eq(comments.id, commentId))
    .returning({ id: comments.id });
  if (rows.length === 0) return;
  await afterChange(c, { ...log, action: "remove", targetKind: "comment", targetId: commentId });
}

export async function restoreComment(c: Ctx, commentId: string, log: Logged): Promise<void> {
  const rows = await c.var.db
    .update(comments)
    .set({ removedAt: null })
    .where(and(eq(comments.id, commentId), isNotNull(comments.removedAt)))
    .returning({ id: comments.id });
  if (rows.length === 0) {
    if (!(await exists(c, sql`select 1 from ${comments} where id = ${commentId}`))) throw notFound("No such comment.");
    return;
  }
  await afterChange(c, { ...log, action: "unremove", targetKind: "comment", targetId: commentId });
}

/** The videos whose media follows the account's suspension: not private, not removed. */
async function mediaOfAccount(c: Ctx, userId: string): Promise<string[]> {
  const rows = await c.var.db
    .select({ id: videos.id })
    .from(videos)
    .innerJoin(creators, eq(creators.id, videos.creatorId))
    .where(and(eq(creators.userId, userId), ne(videos.visibility, "private"), isNull(videos.removedAt)));
  return rows.map((r) => r.id);
}

/**
 * Suspends an account: no sign-in, no refresh (its sessions are revoked), no writes with tokens
 * it still holds (auth/suspension.ts), and its videos hidden from everyone but admins.
 * Logged with target kind "creator" and the account's user id.
 */
export async function suspendUser(c: Ctx, userId: string, log: Logged): Promise<void> {
  if (userId === log.adminId) throw conflict("You cannot suspend your own account.");
  const [user] = await c.var.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  if (!user) throw notFound("No such user.");
  if (user.role === "admin") throw conflict("Admins cannot be suspended; revoke the role first.");
  await c.var.db.update(users).set({ suspendedAt: sql`coalesce(${users.suspendedAt}, now())` }).where(eq(users.id, userId));
  await c.var.db.update(refreshTokens).set({ revokedAt: sql`now()` }).where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
  await hideMedia(c, await mediaOfAccount(c, userId));
  await afterChange(c, { ...log, action: "suspend-creator", targetKind: "creator", targetId: userId });
}

export async function unsuspendUser(c: Ctx, userId: string, log: Logged): Promise<void> {
  const rows = await c.var.db
    .update(users)
    .set({ suspendedAt: null })
    .where(and(eq(users.id, userId), isNotNull(users.suspendedAt)))
    .returning({ id: users.id });
  if (rows.length === 0) {
    if (!(await exists(c, sql`select 1 from ${users} where id = ${userId}`))) throw notFound("No such user.");
    return;
  }
  await showMedia(c, await mediaOfAccount(c, userId));
  await afterChange(c, { ...log, action: "unsuspend", targetKind: "creator", targetId: userId });
}
