// Comments, likes, reports and moderation in the public contract (shared/API.md, second wave).
// Re-exported by ./api.ts, which is what callers import.
import { z } from "zod";
import {
  COMMENT_MAX,
  REPORT_DETAIL_MAX,
  reportReasons,
  reportStatuses,
  reportTargetKinds,
  resolveActions,
  type ModerationAction,
  type ReportReason,
  type ReportStatus,
  type ReportTargetKind,
  type Visibility,
} from "./limits.ts";

export const commentIdParam = z.uuid();

const commentBody = z
  .string()
  .trim()
  .min(1, "Write something first.")
  .max(COMMENT_MAX, `Comments are at most ${COMMENT_MAX.toLocaleString("en-US")} characters.`);

/** POST /api/videos/:id/comments; a reply to a reply attaches to the same top-level comment. */
export const createCommentSchema = z.strictObject({ body: commentBody, parentId: commentIdParam.optional() });

/** PATCH /api/comments/:id */
export const updateCommentSchema = z.strictObject({ body: commentBody });

export const commentSorts = ["newest", "top"] as const;

/** POST /api/reports: detail is plain text, trimmed; too long → 422. */
export const createReportSchema = z.strictObject({
  target: z.strictObject({ kind: z.enum(reportTargetKinds), id: z.uuid("Name the reported video, comment or creator by its id.") }),
  reason: z.enum(reportReasons),
  detail: z
    .string()
    .trim()
    .max(REPORT_DETAIL_MAX, `Details are at most ${REPORT_DETAIL_MAX.toLocaleString("en-US")} characters.`)
    .optional()
    .default(""),
});

/** POST /api/admin/reports/:id/resolve */
export const resolveReportSchema = z.strictObject({ action: z.enum(resolveActions) });

/** GET /api/admin/reports?status (with ?cursor&limit). */
export const reportStatusQuery = z.enum(reportStatuses).default("open");

export const reportIdParam = z.uuid();

/** A comment or reply; a deleted one with replies stays with `deleted: true` and an empty body. */
export type Comment = {
  id: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
  author: { id: string; displayName: string };
  likeCount: number;
  replyCount: number;
  deleted: boolean;
  /** Replies only: the top-level comment. */
  parentId?: string;
  /** For a signed-in caller: whether they like it. */
  liked?: boolean;
};

/** POST /api/reports → 201 (new) or 200 (the caller's open report on that target). */
export type ReportCreated = { id: string };

/** Who owns a reported target: the account an admin would suspend. */
export type ReportOwner = { userId: string; displayName: string };

/** What a report names, as the admin queue previews it; `gone` when it was deleted since. */
export type ReportTarget =
  | { kind: "video"; id: string; gone: false; title: string; poster: string | null; visibility: Visibility; removed: boolean; owner: ReportOwner & { creatorId: string } }
  | { kind: "comment"; id: string; gone: false; excerpt: string; videoId: string; videoTitle: string; removed: boolean; deleted: boolean; owner: ReportOwner }
  | { kind: "creator"; id: string; gone: false; displayName: string; suspended: boolean; owner: ReportOwner }
  | { kind: ReportTargetKind; id: string; gone: true };

/** GET /api/admin/reports items: the reports on one target, grouped. */
export type ReportGroup = {
  /** The newest report's id: POST /api/admin/reports/:id/resolve acts on all of the group. */
  id: string;
  status: ReportStatus;
  target: ReportTarget;
  reporterCount: number;
  reasons: Record<ReportReason, number>;
  /** Up to 5 of the newest non-empty details, plain text. */
  details: string[];
  newestAt: string;
  /** Resolved groups: the newest resolution. */
  resolution: ModerationAction | null;
};

/** POST /api/admin/reports/:id/resolve → 200 */
export type ReportResolution = { action: ModerationAction; target: { kind: ReportTargetKind; id: string }; resolved: number };

/**
 * GET /api/admin/moderation-log items. Suspensions name the user: `target.kind` "creator" with
 * the account's user id (a viewer who wrote a reported comment has no creator profile).
 */
export type ModerationLogEntry = {
  id: string;
  action: ModerationAction;
  target: { kind: ReportTargetKind; id: string };
  admin: { id: string; email: string } | null;
  reportId: string | null;
  note: string;
  createdAt: string;
  /** Whether the action is still in effect and may be reversed (restore / unsuspend). */
  reversible: boolean;
};
