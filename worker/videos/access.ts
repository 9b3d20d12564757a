// Who may see and change a video. Private videos are 404 to everyone but the owner and admins,
// so their existence does not leak.
import type { AuthUser } from "../context.ts";
import { notFound } from "../http/problem.ts";
import type { VideoWithCreator } from "./queries.ts";

export const isOwner = (video: { creator: { userId: string } }, user: AuthUser | null) => !!user && video.creator.userId === user.id;

export function canView(video: VideoWithCreator, user: AuthUser | null): boolean {
  if (user?.role === "admin") return true;
  // Taken down by moderation: gone for everyone else, the owner included (studio lists show it as removed).
  if (video.removedAt !== null || video.creator.suspended) return false;
  if (isOwner(video, user)) return true;
  // Unfinished uploads are only the owner's business.
  if (video.status === "uploading") return false;
  return video.visibility !== "private";
}

export function assertOwner(video: VideoWithCreator | null, user: AuthUser): VideoWithCreator {
  if (!video || !isOwner(video, user)) throw notFound("No such video.");
  return video;
}
