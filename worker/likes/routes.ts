// PUT|DELETE /api/videos/:id/like and /api/comments/:id/like (signed in) → 204, idempotent.
// The counts are exact under concurrency (store.ts); clicks are rate limited per account and address.
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { limitAccountAction } from "../auth/rate-limits.ts";
import { notFound } from "../http/problem.ts";
import { visibleComment, visibleVideo } from "../comments/access.ts";
import { likeComment, likeVideo, unlikeComment, unlikeVideo } from "./store.ts";

export const likeRoutes = new Hono<AppEnv>();

for (const [method, store] of [
  ["put", likeVideo],
  ["delete", unlikeVideo],
] as const) {
  likeRoutes.on(method.toUpperCase(), "/videos/:id/like", async (c) => {
    const user = requireUser(c);
    const video = await visibleVideo(c, c.req.param("id"));
    await limitAccountAction(c, "likes", user.id);
    await store(c.var.db, user.id, video.id);
    return c.body(null, 204);
  });
}

for (const [method, store] of [
  ["put", likeComment],
  ["delete", unlikeComment],
] as const) {
  likeRoutes.on(method.toUpperCase(), "/comments/:id/like", async (c) => {
    const user = requireUser(c);
    const { comment } = await visibleComment(c, c.req.param("id"));
    // A deleted or removed comment is gone (its tombstone only holds the thread): nothing to like.
    if (comment.deletedAt || comment.removedAt) throw notFound("No such comment.");
    await limitAccountAction(c, "likes", user.id);
    await store(c.var.db, user.id, comment.id);
    return c.body(null, 204);
  });
}
