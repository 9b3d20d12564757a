// Comments under the player: a form (a fetcher with JavaScript, a plain POST to the page's action
// without), the newest top-level comments, each a thread with its replies and a reply form.
import { useEffect, useRef } from "react";
import { Link, useFetcher, useLocation } from "react-router";
import { COMMENT_MAX } from "#contract/limits.ts";
import type { ActionResult, Comment } from "../../lib/types";
import type { CommentViewer } from "./CommentCard";
import { CommentThread } from "./CommentThread";

type Props = CommentViewer & {
  videoId: string;
  comments: Comment[];
  enabled: boolean;
  /** The open thread (?thread=) and its replies. */
  thread: { id: string; replies: Comment[] } | null;
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

export function Comments({ videoId, comments, enabled, me, ownsVideo, thread }: Props) {
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
          <CommentThread key={c.id} videoId={videoId} comment={c} viewer={{ me, ownsVideo }} enabled={enabled} replies={thread?.id === c.id ? thread.replies : null} />
        ))}
      </ul>
      {comments.length === 0 && <p className="mt-2 text-sm text-neutral-300">No comments yet.</p>}
    </section>
  );
}
