// Where a comment sits on its watch page (shared by the comments, their replies and the
// notifications that point at them), and the form intent of a reply, which names its thread so
// that only that thread's reply form shows the outcome (several share the page's action).
export const commentAnchor = (commentId: string) => `comment-${commentId}`;

/** The watch page, with a thread's replies open (`?thread=`) and scrolled to a comment. */
export function commentHref(videoId: string, opts: { thread?: string | null; comment?: string } = {}): string {
  return `/watch/${encodeURIComponent(videoId)}${opts.thread ? `?thread=${encodeURIComponent(opts.thread)}` : ""}${opts.comment ? `#${commentAnchor(opts.comment)}` : ""}`;
}

export const replyIntent = (threadId: string) => `reply:${threadId}`;
