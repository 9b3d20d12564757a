import type { Creator } from "#contract/api.ts";
import type { CreatorRow } from "./queries.ts";

/** The public shape of a creator (GET /api/creators/:id and lists). */
export function presentCreator(creator: CreatorRow & { videoCount?: number }, following: boolean): Creator {
  return {
    id: creator.id,
    displayName: creator.displayName,
    bio: creator.bio,
    followerCount: creator.followerCount,
    videoCount: creator.videoCount ?? 0,
    following,
    createdAt: creator.createdAt.toISOString(),
  };
}
