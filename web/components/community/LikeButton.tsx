import { useFetcher } from "react-router";
import type { ActionResult } from "../../lib/types";

/** A like toggle for the video or a comment; a plain form without JavaScript, optimistic with it. */
export function LikeButton({ target, id, liked, count, label, signedIn }: { target: "video" | "comment"; id: string; liked: boolean; count: number; label: string; signedIn: boolean }) {
  const fetcher = useFetcher<ActionResult>();
  const pending = fetcher.formData?.get("intent");
  const isLiked = pending ? pending === `like-${target}` : liked;
  const shown = count + (isLiked === liked ? 0 : isLiked ? 1 : -1);
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  if (!signedIn) {
    return (
      <span className="text-sm text-neutral-300" data-testid={`${target}-likes`}>
        {shown} {shown === 1 ? "like" : "likes"}
      </span>
    );
  }
  return (
    <fetcher.Form method="post" className="inline-flex items-center gap-2">
      <input type="hidden" name="intent" value={isLiked ? `unlike-${target}` : `like-${target}`} />
      {target === "comment" && <input type="hidden" name="commentId" value={id} />}
      {/* The visible word is the start of the accessible name ("Like this video"); the count sits beside it. */}
      <button
        type="submit"
        aria-pressed={isLiked}
        className={`rounded-full px-3 py-1 text-sm font-medium ${isLiked ? "bg-white text-black" : "border border-neutral-600 bg-neutral-800 text-white hover:bg-neutral-700"}`}
      >
        <span aria-hidden="true">♥ </span>Like<span className="sr-only"> {label}</span>
      </button>
      <span className="text-sm text-neutral-300">
        <span data-testid={`${target}-likes`}>{shown}</span> {shown === 1 ? "like" : "likes"}
      </span>
      {failed && (
        <span role="alert" className="text-sm text-red-300">
          {failed}
        </span>
      )}
    </fetcher.Form>
  );
}
