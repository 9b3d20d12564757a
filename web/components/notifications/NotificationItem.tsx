// One notification: who did what, on which video, with a link there; unread ones are marked
// in words ("Unread") as well as by colour, with a plain form button to mark just that one read.
import { Form, Link } from "react-router";
import type { Notification } from "#contract/notifications.ts";
import { commentHref } from "../../lib/comment-links";
import { timeAgo } from "../../lib/format";

function Sentence({ n }: { n: Notification }) {
  const who = <span className="font-semibold">{n.actor?.displayName ?? "Someone"}</span>;
  // A comment or reply links to itself on the watch page (a reply with its thread open), where the
  // creator can answer it.
  const video = n.video ? (
    <Link to={commentHref(n.video.id, n.comment ? { thread: n.comment.parentId, comment: n.comment.id } : {})} className="underline">
      {n.video.title}
    </Link>
  ) : (
    "a video"
  );
  switch (n.kind) {
    case "new-video":
      return (
        <>
          {who} published {video}
        </>
      );
    case "comment":
      return (
        <>
          {who} commented on {video}
        </>
      );
    case "reply":
      return (
        <>
          {who} replied to your comment on {video}
        </>
      );
  }
}

export function NotificationItem({ n }: { n: Notification }) {
  return (
    <li className={`flex items-start gap-3 p-3 ${n.read ? "" : "bg-neutral-900"}`} data-testid="notification" data-read={n.read}>
      <div className="min-w-0 flex-1">
        <p>
          {!n.read && <span className="mr-2 rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white">Unread</span>}
          <Sentence n={n} />
        </p>
        {n.comment && <blockquote className="mt-1 break-words border-l-2 border-neutral-600 pl-2 text-sm text-neutral-300">{n.comment.body}</blockquote>}
        <p className="mt-1 text-xs text-neutral-400">
          <time dateTime={n.createdAt}>{timeAgo(n.createdAt)}</time>
        </p>
      </div>
      {!n.read && (
        <Form method="post">
          <input type="hidden" name="intent" value="read" />
          <input type="hidden" name="id" value={n.id} />
          <button type="submit" className="rounded border border-neutral-600 px-2 py-1 text-xs hover:bg-neutral-800">
            Mark read
          </button>
        </Form>
      )}
    </li>
  );
}
