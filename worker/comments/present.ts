// The public shape of a comment (API.md "Comments and likes"). Viewers without a channel have no
// display name: they are shown by a short, stable label from their id, never by their email.
import type { Comment } from "#contract/api.ts";
import type { CommentWithAuthor } from "./queries.ts";

export const anonymousLabel = (userId: string) => `Viewer ${userId.slice(0, 6)}`;

export function presentComment(comment: CommentWithAuthor, signedIn: boolean): Comment {
  // A comment an admin removed shows as a tombstone, like a deleted one (moderation/actions.ts).
  const deleted = comment.deletedAt !== null || comment.removedAt !== null;
  return {
    id: comment.id,
    body: deleted ? "" : comment.body,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt?.toISOString() ?? null,
    author: { id: comment.authorId, displayName: comment.authorName ?? anonymousLabel(comment.authorId) },
    likeCount: comment.likeCount,
    replyCount: comment.replyCount,
    deleted,
    ...(comment.parentId ? { parentId: comment.parentId } : {}),
    ...(signedIn ? { liked: comment.liked } : {}),
  };
}
