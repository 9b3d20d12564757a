// Comments (API.md "Comments and likes"): top-level lists (newest or top), replies one level
// deep, posting, editing by the author, deletion by the author, the video's creator or an admin.
// Mounted at /api; lists are never edge-cached (edge-cache/policy.ts lists what is).
import { Hono, type Context } from "hono";
import { z } from "zod";
import { commentSorts, createCommentSchema, updateCommentSchema, videoIdParam, type Comment } from "#contract/api.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { limitAccountAction } from "../auth/rate-limits.ts";
import { forbidden, notFound } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { decodeCursor, encodeCursor, pageQuerySchema } from "../discovery/pagination.ts";
import { canDeleteComment, visibleComment, visibleVideo } from "./access.ts";
import { presentComment } from "./present.ts";
import { notifyComment } from "../notifications/queries.ts";
import { deleteComment, findComment, insertComment, listReplies, listTopLevel, updateCommentBody, type CommentOrder, type CommentWithAuthor } from "./queries.ts";

export const commentRoutes = new Hono<AppEnv>();

const listQuery = pageQuerySchema.extend({ sort: z.enum(commentSorts).default("newest") });
const timeCursor = z.strictObject({ t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), id: z.uuid() });
const topCursor = z.strictObject({ likes: z.number().int().min(0), id: z.uuid() });

function page(c: Context<AppEnv>, rows: CommentWithAuthor[], limit: number, key: (last: CommentWithAuthor) => unknown) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const signedIn = !!c.var.user;
  return {
    items: items.map((r) => presentComment(r, signedIn)),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}

// Text a person wrote: too long or empty is 422 with `errors` (API.md "Additions").
async function readCommentBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  return parseWith(schema, await readJson(c, z.unknown()), 422);
}

commentRoutes.get("/videos/:id/comments", async (c) => {
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  const { sort, limit, cursor } = parseWith(listQuery, c.req.query());
  const viewer = c.var.user?.id ?? null;
  const order: CommentOrder = sort === "top" ? { kind: "top", after: decodeCursor(cursor, topCursor) } : { kind: "newest", after: decodeCursor(cursor, timeCursor) };
  // The video's visibility and its comments are read side by side (one round trip on a pipelined
  // connection); the comments are dropped unseen when the caller may not see the video.
  const [, rows] = await Promise.all([visibleVideo(c, id.data), listTopLevel(c.var.db, id.data, viewer, order, limit)]);
  c.header("cache-control", "private, no-cache");
  return c.json(page(c, rows, limit, (r) => (sort === "top" ? { likes: r.likeCount, id: r.id } : { t: r.sortTime, id: r.id })));
});

commentRoutes.get("/comments/:id/replies", async (c) => {
  const { comment } = await visibleComment(c, c.req.param("id"));
  const { limit, cursor } = parseWith(pageQuerySchema, c.req.query());
  c.header("cache-control", "private, no-cache");
  const rows = await listReplies(c.var.db, comment.parentId ?? comment.id, c.var.user?.id ?? null, decodeCursor(cursor, timeCursor), limit);
  return c.json(page(c, rows, limit, (r) => ({ t: r.sortTime, id: r.id })));
});

commentRoutes.post("/videos/:id/comments", async (c) => {
  const user = requireUser(c);
  const video = await visibleVideo(c, c.req.param("id"));
  if (!video.commentsEnabled) throw forbidden("Comments are turned off for this video.");
  await limitAccountAction(c, "comments", user.id);
  const input = await readCommentBody(c, createCommentSchema);
  let parentId: string | null = null;
  // Who hears of it: the author of the comment replied to, or the video's creator.
  let recipientId = video.creator.userId;
  if (input.parentId) {
    const parent = await findComment(c.var.db, input.parentId);
    if (!parent || parent.videoId !== video.id || parent.deletedAt || parent.removedAt) throw notFound("The comment you reply to is gone.");
    // One level: a reply to a reply joins the same thread.
    parentId = parent.parentId ?? parent.id;
    recipientId = parent.authorId;
  }
  const id = await insertComment(c.var.db, { videoId: video.id, authorId: user.id, body: input.body, parentId });
  if (!id) throw notFound("The comment you reply to is gone.");
  await notifyComment(c.var.db, { recipientId, actorId: user.id, kind: parentId ? "reply" : "comment", videoId: video.id, commentId: id });
  const created = await findComment(c.var.db, id, user.id);
  return c.json<Comment>(presentComment(created!, true), 201);
});

commentRoutes.patch("/comments/:id", async (c) => {
  const user = requireUser(c);
  const { comment } = await visibleComment(c, c.req.param("id"));
  if (comment.deletedAt || comment.removedAt) throw notFound("No such comment.");
  if (comment.authorId !== user.id) throw forbidden("Only the author can edit a comment.");
  await limitAccountAction(c, "comments", user.id);
  const input = await readCommentBody(c, updateCommentSchema);
  if (!(await updateCommentBody(c.var.db, comment.id, input.body))) throw notFound("No such comment.");
  return c.json<Comment>(presentComment((await findComment(c.var.db, comment.id, user.id))!, true));
});

commentRoutes.delete("/comments/:id", async (c) => {
  const user = requireUser(c);
  const { comment, video } = await visibleComment(c, c.req.param("id"));
  if (comment.deletedAt) return c.body(null, 204);
  if (!canDeleteComment(comment, video, user)) throw forbidden("Only the author, the video's creator or an admin can delete a comment.");
  await deleteComment(c.var.db, comment);
  return c.body(null, 204);
});
