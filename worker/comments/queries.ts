// Comment data functions. One level of replies: parent_id always names a top-level comment.
// Writes that touch a thread (a reply, a deletion) lock the top-level row first, so a reply and
// the deletion of its parent never interleave (no orphan, no drifting reply_count).
import { and, eq, sql, type SQL } from "drizzle-orm";
import { commentLikes, comments, creators, users } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

export type CommentRow = typeof comments.$inferSelect;
export type CommentWithAuthor = CommentRow & { authorName: string | null; liked: boolean; sortTime: string };

/** Microsecond UTC text of created_at, so cursors neither skip nor repeat rows. */
const sortTime = sql<string>`to_char(${comments.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function selectComments(db: Database, viewerId: string | null) {
  const liked = viewerId
    ? sql<boolean>`exists (select 1 from ${commentLikes} where ${commentLikes.commentId} = ${comments.id} and ${commentLikes.userId} = ${viewerId})`
    : sql<boolean>`false`;
  return db
    .select({ comment: comments, authorName: creators.displayName, liked, sortTime })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .leftJoin(creators, eq(creators.userId, users.id));
}

const flatten = (rows: { comment: CommentRow; authorName: string | null; liked: boolean; sortTime: string }[]): CommentWithAuthor[] =>
  rows.map((r) => ({ ...r.comment, authorName: r.authorName, liked: r.liked, sortTime: r.sortTime }));

export type CommentOrder = { kind: "newest"; after?: { t: string; id: string } } | { kind: "top"; after?: { likes: number; id: string } } | { kind: "oldest"; after?: { t: string; id: string } };

function orderAndAfter(order: CommentOrder): { where: SQL | undefined; orderBy: SQL } {
  switch (order.kind) {
    case "newest":
      return {
        where: order.after ? sql`(${comments.createdAt}, ${comments.id}) < (${order.after.t}::timestamptz, ${order.after.id}::uuid)` : undefined,
        orderBy: sql`${comments.createdAt} desc, ${comments.id} desc`,
      };
    case "oldest":
      return {
        where: order.after ? sql`(${comments.createdAt}, ${comments.id}) > (${order.after.t}::timestamptz, ${order.after.id}::uuid)` : undefined,
        orderBy: sql`${comments.createdAt} asc, ${comments.id} asc`,
      };
    case "top":
      return {
        where: order.after ? sql`(${comments.likeCount}, ${comments.id}) < (${order.after.likes}, ${order.after.id}::uuid)` : undefined,
        orderBy: sql`${comments.likeCount} desc, ${comments.id} desc`,
      };
  }
}

/** Top-level comments of a video; one more than `limit` is read to know whether a next page exists. */
export async function listTopLevel(db: Database, videoId: string, viewerId: string | null, order: CommentOrder, limit: number) {
  const { where, orderBy } = orderAndAfter(order);
  const rows = await selectComments(db, viewerId)
    .where(and(eq(comments.videoId, videoId), sql`${comments.parentId} is null`, where))
    .orderBy(orderBy)
    .limit(limit + 1);
  return flatten(rows);
}

/** Replies of a top-level comment, oldest first (a conversation reads down). */
export async function listReplies(db: Database, parentId: string, viewerId: string | null, after: { t: string; id: string } | undefined, limit: number) {
  const { where, orderBy } = orderAndAfter({ kind: "oldest", after });
  const rows = await selectComments(db, viewerId)
    .where(and(eq(comments.parentId, parentId), where))
    .orderBy(orderBy)
    .limit(limit + 1);
  return flatten(rows);
}

export async function findComment(db: Database, id: string, viewerId: string | null = null): Promise<CommentWithAuthor | null> {
  return flatten(await selectComments(db, viewerId).where(eq(comments.id, id)))[0] ?? null;
}

/**
 * Inserts a comment; a reply bumps its top-level comment's reply_count in the same transaction,
 * under a lock on that row. Returns null when the parent is gone (deleted meanwhile).
 */
export async function insertComment(db: Database, values: { videoId: string; authorId: string; body: string; parentId: string | null }): Promise<string | null> {
  return db.transaction(async (tx) => {
    if (values.parentId) {
      const parent = await tx.execute(sql`select id from ${comments} where id = ${values.parentId} and deleted_at is null for update`);
      if (parent.rows.length === 0) return null;
      await tx.update(comments).set({ replyCount: sql`${comments.replyCount} + 1` }).where(eq(comments.id, values.parentId));
    }
    const [row] = await tx.insert(comments).values(values).returning({ id: comments.id });
    return row!.id;
  });
}

export async function updateCommentBody(db: Database, id: string, body: string): Promise<boolean> {
  const rows = await db
    .update(comments)
    .set({ body, editedAt: sql`now()` })
    .where(and(eq(comments.id, id), sql`${comments.deletedAt} is null`))
    .returning({ id: comments.id });
  return rows.length > 0;
}

/**
 * Deletes a comment. A top-level comment with replies becomes a tombstone (empty body); a reply is
 * removed and its parent's count lowered, and a tombstone left without replies goes too.
 */
export async function deleteComment(db: Database, comment: Pick<CommentRow, "id" | "parentId">): Promise<void> {
  await db.transaction(async (tx) => {
    const topId = comment.parentId ?? comment.id;
    const locked = await tx.execute<{ reply_count: number; deleted_at: string | null }>(
      sql`select reply_count, deleted_at from ${comments} where id = ${topId} for update`,
    );
    const top = locked.rows[0];
    if (!top) return; // already gone with its thread
    if (!comment.parentId) {
      if (top.reply_count > 0) await tx.update(comments).set({ body: "", deletedAt: sql`now()` }).where(eq(comments.id, topId));
      else await tx.delete(comments).where(eq(comments.id, topId));
      return;
    }
    const removed = await tx.delete(comments).where(eq(comments.id, comment.id)).returning({ id: comments.id });
    if (removed.length === 0) return;
    if (top.deleted_at !== null && top.reply_count <= 1) await tx.delete(comments).where(eq(comments.id, topId));
    else await tx.update(comments).set({ replyCount: sql`greatest(${comments.replyCount} - 1, 0)` }).where(eq(comments.id, topId));
  });
}
