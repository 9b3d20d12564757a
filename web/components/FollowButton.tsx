import { Link, useFetcher, useLocation } from "react-router";
import type { ActionResult } from "../lib/types";

/** Posts to the current page's action (intent follow/unfollow); works as a plain form without JS. */
export function FollowButton({ creatorId, name, following, signedIn }: { creatorId: string; name: string; following: boolean; signedIn: boolean }) {
  const fetcher = useFetcher<ActionResult>();
  const location = useLocation();
  if (!signedIn) {
    return (
      <Link
        to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}
        className="rounded-full bg-white px-4 py-2 text-sm font-semibold text-black hover:bg-neutral-200"
      >
        Sign in to follow
      </Link>
    );
  }
  const pending = fetcher.formData?.get("intent");
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  const isFollowing = pending ? pending === "follow" : following;
  return (
    <fetcher.Form method="post" className="flex flex-col items-start gap-1">
      <input type="hidden" name="creatorId" value={creatorId} />
      <input type="hidden" name="intent" value={isFollowing ? "unfollow" : "follow"} />
      <button
        type="submit"
        className={`rounded-full px-4 py-2 text-sm font-semibold ${
          isFollowing ? "border border-neutral-600 bg-neutral-800 text-white hover:bg-neutral-700" : "bg-white text-black hover:bg-neutral-200"
        }`}
      >
        {isFollowing ? "Following" : "Follow"}
        <span className="sr-only">{isFollowing ? ` ${name}. Press to unfollow.` : ` ${name}`}</span>
      </button>
      {failed && (
        <p role="alert" className="text-sm text-red-300">
          {failed}
        </p>
      )}
    </fetcher.Form>
  );
}
