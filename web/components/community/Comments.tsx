// Comments under the player: a form (a fetcher with JavaScript, a plain POST to the page's action
// without), the newest top-level comments with like buttons, and delete for those allowed.
import { useEffect, useRef } from "react";
import { Link, useFetcher, useLocation } from "react-router";
import { COMMENT_MAX } from "#contract/limits.ts";
import { formatDate } from "../../lib/format";
import type { ActionResult, Comment } from "../../lib/types";
import { LikeButton } from "./LikeButton";
import { ReportButton } from "./ReportButton";

type Props = {
  comments: Comment[];
  enabled: boolean;
  me: { userId: string; isAdmin: boolean } | null;
  ownsVideo: boolean;
};

function CommentForm() {
  const fetcher = useFetcher<ActionResult>();
  const form = useRef<HTMLFormElement>(null);
  const busy = fetcher.state !== "idle";
  const failed = fetcher.data && !fetcher.data.ok ? (fetcher.data.fields.body ?? fetcher.data.error) : null;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) form.current?.reset();
  }, [fetcher.state, fetcher.data]);
  return (
    <fetcher.Form ref={form} method="post" className="mt-3 space-y-2">
      <input type="hidden" name="intent" value="comment" />
      <label htmlFor="comment-body" className="block text-sm font-medium">
        Add a comment
      </label>
      <textarea
        id="comment-body"
        name="body"
        required
        maxLength={COMMENT_MAX}
        rows={3}
        aria-invalid={failed ? true : undefined}
        aria-describedby={failed ? "comment-error" : undefined}
        className="w-full rounded-lg border border-neutral-600 bg-neutral-900 p-2 text-sm"
      />
      {failed && (
        <p id="comment-error" role="alert" className="text-sm text-red-300">
          {failed}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded-full bg-white px-4 py-2 text-sm font-semibold text-black hover:bg-neutral-200">
        {busy ? "Posting…" : "Post comment"}
      </button>
    </fetcher.Form>
  );
}

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

export function Comments({ comments, enabled, me, ownsVideo }: Props) {
  const location = useLocation();
  return (
    <section aria-labelledby="comments-heading" className="mt-6">
      <h2 id="comments-heading" className="text-lg font-semibold">
        Comments
      </h2>
      {!enabled ? (
        <p className="mt-2 text-sm text-neutral-300">Comments are turned off for this video.</p>
      ) : me ? (
        <CommentForm />
      ) : (
        <p className="mt-2 text-sm">
          <Link className="underline" to={`/login?next=${encodeURIComponent(location.pathname)}`}>
            Sign in to comment
          </Link>
        </p>
      )}
      <ul className="mt-4 space-y-4" data-testid="comments">
        {comments.map((c) => (
          <li key={c.id} className="rounded-lg bg-neutral-900 p-3" data-testid="comment">
            <p className="text-sm text-neutral-300">
              <span className="font-medium text-white">{c.deleted ? "Deleted comment" : c.author.displayName}</span> ·{" "}
              <time dateTime={c.createdAt}>{formatDate(c.createdAt)}</time>
              {c.editedAt && " · edited"}
              {c.replyCount > 0 && ` · ${c.replyCount} ${c.replyCount === 1 ? "reply" : "replies"}`}
            </p>
            {!c.deleted && <p className="mt-1 whitespace-pre-wrap break-words">{c.body}</p>}
            {!c.deleted && (
              <div className="mt-2 flex items-center gap-4">
                <LikeButton target="comment" id={c.id} liked={!!c.liked} count={c.likeCount} label={`comment by ${c.author.displayName}`} signedIn={!!me} />
                {me && (c.author.id === me.userId || ownsVideo || me.isAdmin) && <DeleteButton id={c.id} />}
                {me && c.author.id !== me.userId && <ReportButton kind="comment" id={c.id} label={`comment by ${c.author.displayName}`} />}
              </div>
            )}
          </li>
        ))}
      </ul>
      {comments.length === 0 && <p className="mt-2 text-sm text-neutral-300">No comments yet.</p>}
    </section>
  );
}
