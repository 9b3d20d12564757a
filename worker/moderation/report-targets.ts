// What a report names: checking that the reporter may see it, and the previews the admin queue
// shows (title and poster, comment excerpt, creator name) with the account that owns it.
import type { Context } from "hono";
import { inArray, sql } from "drizzle-orm";
import { REPORT_EXCERPT_MAX, type ReportTarget, type ReportTargetKind } from "#contract/api.ts";
import { comments, creators, users, videos } from "#db/schema.ts";
import type { AppEnv } from "../context.ts";
import type { Database } from "../db/connection.ts";
import { notFound } from "../http/problem.ts";
import { visibleComment, visibleVideo } from "../comments/access.ts";
import { anonymousLabel } from "../comments/present.ts";
import { findCreatorById } from "../creators/queries.ts";
import { findVideosByIds } from "../videos/queries.ts";
import { videoJson } from "../videos/respond.ts";

/** 404 unless the target exists and the caller may see it (reporting never reveals hidden things). */
export async function assertReportable(c: Context<AppEnv>, target: { kind: ReportTargetKind; id: string }): Promise<void> {
  if (target.kind === "video") {
    await visibleVideo(c, target.id);
    return;
  }
  if (target.kind === "comment") {
    const { comment } = await visibleComment(c, target.id);
    if (comment.deletedAt || comment.removedAt) throw notFound("No such comment.");
    return;
  }
  const creator = await findCreatorById(c.var.db, target.id);
  if (!creator) throw notFound("No such creator.");
}

/** The account behind a target (the one "suspend-creator" suspends); null when the target is gone. */
export async function targetOwner(db: Database, kind: ReportTargetKind, id: string): Promise<string | null> {
  const query =
    kind === "video"
      ? sql`select c.user_id as owner from ${videos} v join ${creators} c on c.id = v.creator_id where v.id = ${id}`
      : kind === "comment"
        ? sql`select author_id as owner from ${comments} where id = ${id}`
        : sql`select user_id as owner from ${creators} where id = ${id}`;
  const result = await db.execute<{ owner: string }>(query);
  return result.rows[0]?.owner ?? null;
}

const excerpt = (text: string) => (text.length > REPORT_EXCERPT_MAX ? `${text.slice(0, REPORT_EXCERPT_MAX - 1)}…` : text);

/** Previews of many targets in a few queries (one per kind), keyed "kind:id". */
export async function summarizeTargets(c: Context<AppEnv>, targets: { kind: ReportTargetKind; id: string }[]): Promise<Map<string, ReportTarget>> {
  const ids = (kind: ReportTargetKind) => [...new Set(targets.filter((t) => t.kind === kind).map((t) => t.id))];
  const db = c.var.db;
  const [videoRows, commentRows, creatorRows] = await Promise.all([
    findVideosByIds(db, ids("video")),
    ids("comment").length
      ? db
          .select({ comment: comments, videoTitle: videos.title, authorName: creators.displayName })
          .from(comments)
          .innerJoin(videos, sql`${videos.id} = ${comments.videoId}`)
          .leftJoin(creators, sql`${creators.userId} = ${comments.authorId}`)
          .where(inArray(comments.id, ids("comment")))
      : [],
    ids("creator").length
      ? db
          .select({ creator: creators, suspended: sql<boolean>`${users.suspendedAt} is not null` })
          .from(creators)
          .innerJoin(users, sql`${users.id} = ${creators.userId}`)
          .where(inArray(creators.id, ids("creator")))
      : [],
  ]);
  const out = new Map<string, ReportTarget>();
  for (const video of videoRows) {
    const shown = await videoJson(c, video);
    out.set(`video:${video.id}`, {
      kind: "video",
      id: video.id,
      gone: false,
      title: video.title,
      poster: shown.playback?.poster ?? null,
      visibility: video.visibility,
      removed: video.removedAt !== null,
      owner: { userId: video.creator.userId, creatorId: video.creator.id, displayName: video.creator.displayName },
    });
  }
  for (const { comment, videoTitle, authorName } of commentRows) {
    out.set(`comment:${comment.id}`, {
      kind: "comment",
      id: comment.id,
      gone: false,
      excerpt: excerpt(comment.body),
      videoId: comment.videoId,
      videoTitle,
      removed: comment.removedAt !== null,
      deleted: comment.deletedAt !== null,
      owner: { userId: comment.authorId, displayName: authorName ?? anonymousLabel(comment.authorId) },
    });
  }
  for (const { creator, suspended } of creatorRows) {
    out.set(`creator:${creator.id}`, {
      kind: "creator",
      id: creator.id,
      gone: false,
      displayName: creator.displayName,
      suspended: Boolean(suspended),
      owner: { userId: creator.userId, displayName: creator.displayName },
    });
  }
  for (const t of targets) if (!out.has(`${t.kind}:${t.id}`)) out.set(`${t.kind}:${t.id}`, { kind: t.kind, id: t.id, gone: true });
  return out;
}
