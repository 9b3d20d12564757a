import type { CreatorRow } from "./queries.ts";

/** The public shape of a creator (GET /api/creators/:id and lists). */
export function presentCreator(creator: CreatorRow, following: boolean) {
  return {
    id: creator.id,
    displayName: creator.displayName,
    bio: creator.bio,
    followerCount: creator.followerCount,
    videoCount: creator.videoCount,
    following,
    createdAt: creator.createdAt.toISOString(),
  };
}
