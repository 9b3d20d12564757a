// A top-level comment's thread: a "Reply" disclosure holding a plain form, and its replies. Both
// work without JavaScript: the reply form posts to the page with the thread open (?thread=), and
// "Show replies" is a link to that URL; with JavaScript the same form and link are client-side
// navigations (no reload), the page's loader bringing the replies.
import { useEffect, useId, useRef } from "react";
import { Form, Link, useActionData, useNavigation } from "react-router";
import { COMMENT_MAX } from "#contract/limits.ts";
import { commentAnchor, commentHref, replyIntent } from "../../lib/comment-links";
import type { ActionResult, Comment } from "../../lib/types";
import { CommentCard, type CommentViewer } from "./CommentCard";

function ReplyForm({ videoId, parent }: { videoId: string; parent: Comment }) {
  const uid = useId();
  const form = useRef<HTMLFormElement>(null);
  const disclosure = useRef<HTMLDetailsElement>(null);
  const page = useActionData<ActionResult | undefined>();
  const navigation = useNavigation();
  const intent = replyIntent(parent.id);
  const result = page && typeof page === "object" && page.intent === intent ? page : undefined;
  const busy = navigation.state !== "idle" && navigation.formData?.get("parentId") === parent.id;
  const error = result && !result.ok ? (result.fields.body ?? result.error) : null;
  useEffect(() => {
    if (navigation.state === "idle" && result?.ok) {
      form.current?.reset();
      if (disclosure.current) disclosure.current.open = false;
    }
  }, [navigation.state, result]);
  return (
    <details ref={disclosure} className="text-sm open:basis-full" open={error ? true : undefined}>
      <summary className="w-fit cursor-pointer rounded text-neutral-300 underline hover:text-white">
        Reply<span className="sr-only"> to {parent.author.displayName}</span>
      </summary>
      <Form ref={form} method="post" action={commentHref(videoId, { thread: parent.id })} preventScrollReset className="mt-2 max-w-xl space-y-2">
        <input type="hidden" name="intent" value="comment" />
        <input type="hidden" name="parentId" value={parent.id} />
        <label htmlFor={`${uid}-body`} className="block font-medium">
          Your reply to {parent.author.displayName}
        </label>
        <textarea
          id={`${uid}-body`}
          name="body"
          required
          maxLength={COMMENT_MAX}
          rows={2}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${uid}-error` : undefined}
          className="w-full rounded-lg border border-neutral-600 bg-neutral-950 p-2"
        />
        {error && (
          <p id={`${uid}-error`} role="alert" className="text-red-300">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} className="rounded-full bg-white px-3 py-1.5 font-semibold text-black hover:bg-neutral-200">
          {busy ? "Posting…" : "Post reply"}
        </button>
      </Form>
    </details>
  );
}

type Props = { videoId: string; comment: Comment; viewer: CommentViewer; enabled: boolean; /** The replies, when this thread is the open one. */ replies: Comment[] | null };

export function CommentThread({ videoId, comment: c, viewer, enabled, replies }: Props) {
  const replied = useActionData<ActionResult | undefined>();
  const posted = replied && typeof replied === "object" && replied.ok && replied.intent === replyIntent(c.id);
  const canReply = enabled && !!viewer.me && !c.deleted;
  const count = Math.max(c.replyCount, replies?.length ?? 0);
  return (
    <li id={commentAnchor(c.id)} className="rounded-lg bg-neutral-900 p-3" data-testid="comment">
      <CommentCard c={c} viewer={viewer} actions={canReply && <ReplyForm videoId={videoId} parent={c} />} />
      {posted && (
        <p role="status" className="mt-2 text-sm text-neutral-200">
          Your reply is posted.
        </p>
      )}
      {replies ? (
        <>
          <ul aria-label={`Replies to ${c.deleted ? "a deleted comment" : c.author.displayName}`} className="mt-3 space-y-3 border-l-2 border-neutral-700 pl-3">
            {replies.map((r) => (
              <li key={r.id} id={commentAnchor(r.id)} data-testid="reply">
                <CommentCard c={r} viewer={viewer} />
              </li>
            ))}
          </ul>
          <Link to={commentHref(videoId, { comment: c.id })} preventScrollReset className="mt-2 inline-block text-sm text-neutral-300 underline hover:text-white">
            Hide replies
          </Link>
        </>
      ) : (
        count > 0 && (
          <Link to={commentHref(videoId, { thread: c.id, comment: c.id })} preventScrollReset className="mt-2 inline-block text-sm text-neutral-300 underline hover:text-white">
            Show {count} {count === 1 ? "reply" : "replies"}
            <span className="sr-only"> to {c.deleted ? "a deleted comment" : c.author.displayName}</span>
          </Link>
        )
      )}
    </li>
  );
}
