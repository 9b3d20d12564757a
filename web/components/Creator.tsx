// A creator as several pages show them: the initial as an avatar, the follower count, and the
// Follow button (or, for the creator themself, a link to the studio).
import { Link } from "react-router";
import { formatNumber } from "../lib/format";
import { FollowButton } from "./FollowButton";

const AVATAR = {
  medium: "grid h-10 w-10 place-items-center rounded-full bg-red-700 font-semibold text-white",
  large: "grid h-20 w-20 place-items-center rounded-full bg-red-700 text-3xl font-bold text-white",
};

export function CreatorAvatar({ name, size = "medium" }: { name: string; size?: keyof typeof AVATAR }) {
  return (
    <span aria-hidden="true" className={AVATAR[size]}>
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

/** "1 follower", "1,204 followers". */
export const followerCount = (n: number) => `${formatNumber(n)} ${n === 1 ? "follower" : "followers"}`;

type FollowOrManageProps = {
  creator: { id: string; displayName: string };
  /** The signed-in person is this creator: a link to the studio instead of Follow. */
  own: boolean;
  manageLabel: string;
  following: boolean;
  signedIn: boolean;
};

export function FollowOrManage({ creator, own, manageLabel, following, signedIn }: FollowOrManageProps) {
  if (own) {
    return (
      <Link to="/studio" className="rounded-full border border-neutral-600 px-4 py-2 text-sm hover:bg-neutral-800">
        {manageLabel}
      </Link>
    );
  }
  return <FollowButton creatorId={creator.id} name={creator.displayName} following={following} signedIn={signedIn} />;
}
