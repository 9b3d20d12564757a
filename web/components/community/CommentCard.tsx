// One comment or reply: who and when, the text (plain, escaped by React), and what the viewer may
// do with it: like, delete (author, the video's creator, an admin), report (anyone else signed in).
// A deleted or removed comment is a tombstone: no text and no actions.
import type { ReactNode } from "react";
import { useFetcher } from "react-router";
import { formatDate } from "../../lib/format";
import type { ActionResult, Comment } from "../../lib/types";
import { LikeButton } from "./LikeButton";
import { ReportButton } from "./ReportButton";

export type CommentViewer = { me: { userId: string; isAdmin: boolean } | null; ownsVideo: boolean };

function DeleteButton({ id }: { id: string }) {
  const fetcher = useFetcher<ActionResult>();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="delete-comment" />
      <input type="hidden" name="commentId" value={id} />
      <button type="submit" className="text-sm text-neutral-300 underline hover:text-white">
        Delete
      </button>
    </fetcher.Form>
  );
}

/** The comment's header, text and action row; `actions` adds to the row (the reply disclosure). */
export function CommentCard({ c, viewer, actions }: { c: Comment; viewer: CommentViewer; actions?: ReactNode }) {
  const { me, ownsVideo } = viewer;
  const label = `${c.parentId ? "reply" : "comment"} by ${c.author.displayName}`;
  return (
    <>
      <p className="text-sm text-neutral-300">
        <span className="font-medium text-white">{c.deleted ? "Deleted comment" : c.author.displayName}</span> ·{" "}
        <time dateTime={c.createdAt}>{formatDate(c.createdAt)}</time>
        {c.editedAt && " · edited"}
        {c.replyCount > 0 && ` · ${c.replyCount} ${c.replyCount === 1 ? "reply" : "replies"}`}
      </p>
      {!c.deleted && <p className="mt-1 whitespace-pre-wrap break-words">{c.body}</p>}
      {!c.deleted && (
        <div className="mt-2 flex flex-wrap items-center gap-4">
          <LikeButton target="comment" id={c.id} liked={!!c.liked} count={c.likeCount} label={label} signedIn={!!me} />
          {me && (c.author.id === me.userId || ownsVideo || me.isAdmin) && <DeleteButton id={c.id} />}
          {me && c.author.id !== me.userId && <ReportButton kind="comment" id={c.id} label={label} />}
          {actions}
        </div>
      )}
    </>
  );
}
