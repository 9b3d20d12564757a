// Who may see and act on comments: they follow their video's visibility (a comment on a video the
// caller may not see is 404, like the video); deletion is for the author, the video's creator or an admin.
import type { Context } from "hono";
import { commentIdParam, videoIdParam } from "#contract/api.ts";
import type { AppEnv, AuthUser } from "../context.ts";
import { notFound } from "../http/problem.ts";
import { canView, isOwner } from "../videos/access.ts";
import { findVideo, type VideoWithCreator } from "../videos/queries.ts";
import { findComment, type CommentWithAuthor } from "./queries.ts";

export async function visibleVideo(c: Context<AppEnv>, rawId: string | undefined): Promise<VideoWithCreator> {
  const id = videoIdParam.safeParse(rawId);
  if (!id.success) throw notFound("No such video.");
  const video = await findVideo(c.var.db, id.data);
  if (!video || !canView(video, c.var.user)) throw notFound("No such video.");
  return video;
}

/** The comment and its video, when the caller may see the video; 404 otherwise. */
export async function visibleComment(c: Context<AppEnv>, rawId: string | undefined): Promise<{ comment: CommentWithAuthor; video: VideoWithCreator }> {
  const id = commentIdParam.safeParse(rawId);
  if (!id.success) throw notFound("No such comment.");
  const comment = await findComment(c.var.db, id.data, c.var.user?.id ?? null);
  if (!comment) throw notFound("No such comment.");
  const video = await findVideo(c.var.db, comment.videoId);
  if (!video || !canView(video, c.var.user)) throw notFound("No such comment.");
  return { comment, video };
}

export const canDeleteComment = (comment: CommentWithAuthor, video: VideoWithCreator, user: AuthUser) =>
  comment.authorId === user.id || isOwner(video, user) || user.role === "admin";
