// The public REST contract (shared/API.md) in code: the one place a response field, a request
// rule, an enum value or a limit is written. Imported by the Worker (validation; presenters are
// checked against the response types), the web app (types) and db/schema.ts (enums). Imports only
// zod. The plain values live in ./limits.ts (no zod, for the browser) and are re-exported here.
import { z } from "zod";
import {
  BIO_MAX,
  COMMENT_MAX,
  DESCRIPTION_MAX,
  DISPLAY_NAME_MAX,
  EMAIL_MAX,
  MAX_PARTS,
  PASSWORD_MAX,
  PASSWORD_MIN,
  REPORT_DETAIL_MAX,
  TITLE_MAX,
  reportReasons,
  reportStatuses,
  reportTargetKinds,
  resolveActions,
  signupRoles,
  visibilities,
  type ModerationAction,
  type ReportReason,
  type ReportStatus,
  type ReportTargetKind,
  type Role,
  type ShownVideoStatus,
  type Visibility,
} from "./limits.ts";

export * from "./limits.ts";
import type { Chapter } from "./chapters.ts";
export type { Chapter } from "./chapters.ts";
import { POSTER_FRAMES } from "./playback-extras.ts";

// ---------------------------------------------------------------------------------------------
// Requests

/** Path ids are UUIDs; anything else is simply not found (never a 500 from Postgres). */
export const videoIdParam = z.uuid();
export const creatorIdParam = z.uuid();
export const commentIdParam = z.uuid();

const title = z.string().trim().min(1, "Give the video a title.").max(TITLE_MAX, `Titles are at most ${TITLE_MAX} characters.`);
const description = z.string().max(DESCRIPTION_MAX, `Descriptions are at most ${DESCRIPTION_MAX.toLocaleString("en-US")} characters.`);
const etag = z.string().min(1).max(200);

export const createVideoSchema = z.strictObject({
  title,
  description: description.optional().default(""),
  visibility: z.enum(visibilities),
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().positive("The file is empty."),
  contentType: z
    .string()
    .max(100)
    .regex(/^video\/[A-Za-z0-9.+-]+$/, "Only video files can be uploaded (a video/* content type)."),
});

/**
 * `parts` may be left out: the upload is then completed from the parts reported one by one
 * (PUT /api/videos/:id/upload/parts/:n), so a large upload never needs a body over the JSON limit.
 */
export const completeUploadSchema = z.strictObject({
  parts: z
    .array(z.strictObject({ partNumber: z.number().int().min(1).max(MAX_PARTS), etag }))
    .min(1)
    .max(MAX_PARTS)
    .optional(),
});

export const updateVideoSchema = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    visibility: z.enum(visibilities).optional(),
    commentsEnabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Send at least one field to change.");

export const reportPartSchema = z.strictObject({ etag, size: z.number().int().positive() });

/** PUT /api/videos/:id/poster: one of the generated candidates (`playback.thumbnails`, 1-based). */
export const setPosterSchema = z.strictObject({
  frame: z.number().int().min(1).max(POSTER_FRAMES, `Pick a frame from 1 to ${POSTER_FRAMES}.`),
});

/** PUT /api/me/progress/:videoId (the upper bound depends on the video: playback-extras.ts). */
export const progressSchema = z.strictObject({ seconds: z.number().min(0, "Positions are never negative.") });

/** GET /oembed query (oEmbed 1.0); `format` other than json is answered 501. */
export const oembedQuerySchema = z.object({
  url: z.string().min(1, "Give the URL of a video.").max(2048),
  maxwidth: z.coerce.number().int().min(1).max(100_000).optional(),
  maxheight: z.coerce.number().int().min(1).max(100_000).optional(),
  format: z.string().max(20).optional(),
});

// Control characters would let a name spoof layout (newlines, bidi overrides are handled by the UI).
const noControlChars = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "Display names need at least 1 character.")
  .max(DISPLAY_NAME_MAX, `Display names are at most ${DISPLAY_NAME_MAX} characters.`)
  .refine(noControlChars, "Display names cannot contain control characters.");

export const bioSchema = z.string().trim().max(BIO_MAX, `Bios are at most ${BIO_MAX} characters.`);

export const becomeCreatorSchema = z.strictObject({
  displayName: displayNameSchema,
  bio: bioSchema.optional().default(""),
});

export const updateCreatorSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  bio: bioSchema.optional(),
});

const emailTooLong = `Emails are at most ${EMAIL_MAX} characters.`;
const passwordTooLong = `Passwords are at most ${PASSWORD_MAX} characters.`;

export const emailSchema = z.string().trim().max(EMAIL_MAX, emailTooLong).pipe(z.email("Enter a valid email address."));

export const newPasswordSchema = z.string().min(PASSWORD_MIN, `Passwords need at least ${PASSWORD_MIN} characters.`).max(PASSWORD_MAX, passwordTooLong);

export const signupSchema = z
  .strictObject({
    email: emailSchema,
    password: newPasswordSchema,
    role: z.enum(signupRoles).optional().default("viewer"),
    displayName: displayNameSchema.optional(),
    bio: bioSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.role === "creator" && value.displayName === undefined) {
      ctx.addIssue({ code: "custom", path: ["displayName"], message: "Creators need a display name." });
    }
  });

// Login deliberately checks only sizes: a wrong or odd email is just "wrong credentials".
export const loginSchema = z.strictObject({
  email: z.string().trim().min(1, "Enter your email.").max(EMAIL_MAX, emailTooLong),
  password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX, passwordTooLong),
});

export const refreshSchema = z.strictObject({
  refreshToken: z.string().min(1).max(200).optional(),
});

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
export const userIdParam = z.uuid();

export type CreateVideoInput = z.input<typeof createVideoSchema>;
export type CompleteUploadInput = z.input<typeof completeUploadSchema>;

// ---------------------------------------------------------------------------------------------
// Responses (times are ISO 8601 strings)

/** Lists: `{ items, nextCursor }`; `nextCursor` is null on the last page. */
export type Page<T> = { items: T[]; nextCursor: string | null };

export type Video = {
  id: string;
  title: string;
  description: string;
  visibility: Visibility;
  /** "removed" only for a video an admin took down (seen by its owner in studio lists and by admins). */
  status: ShownVideoStatus;
  /** True as soon as the first segments can be streamed (possibly while `processing`). */
  playable: boolean;
  /** Transcoding progress, 0–100. */
  progress: number;
  failureReason: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  viewCount: number;
  likeCount: number;
  /** For a signed-in caller of GET /api/videos/:id: whether they like it. */
  liked?: boolean;
  /** For a signed-in caller of GET /api/videos/:id: where to offer resuming (seconds), or null. */
  resumeAt?: number | null;
  /** False when the creator turned comments off. */
  commentsEnabled: boolean;
  /** Parsed from the description (contract/chapters.ts); [] when it has none. */
  chapters: Chapter[];
  createdAt: string;
  creator: { id: string; displayName: string };
  /**
   * `hls` is the master playlist URL (signed for private videos); `thumbnails` are the generated
   * poster candidates (frame 1… of PUT /api/videos/:id/poster), [] until the video is ready.
   */
  playback: { hls: string; poster: string | null; storyboard: string | null; thumbnails: string[] } | null;
  /**
   * GET /api/videos/:id of a playable video only: send it back with the view report
   * (POST /api/videos/:id/views); it is for this video, expires, and dates the page view.
   */
  viewToken?: string;
};

/** GET /oembed (oEmbed 1.0, type "video"). */
export type OEmbed = {
  version: "1.0";
  type: "video";
  title: string;
  author_name: string;
  author_url: string;
  provider_name: string;
  provider_url: string;
  thumbnail_url?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
  html: string;
  width: number;
  height: number;
};

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

export type User = { id: string; email: string; role: Role; createdAt: string };

/** A creator as search lists them. */
export type CreatorSummary = { id: string; displayName: string; bio: string; followerCount: number };

/** GET /api/creators/:id (also PATCH, and lists of creators). */
export type Creator = CreatorSummary & { videoCount: number; following: boolean; createdAt: string };

/** GET /api/me/following items. */
export type FollowedCreator = Creator & { followedAt: string };

/** POST /api/me/creator: the new profile and an access token carrying the creator role. */
export type BecomeCreatorResult = Creator & { accessToken: string };

/** GET /api/me */
export type Me = {
  user: User;
  creator: Pick<CreatorSummary, "id" | "displayName" | "bio"> | null;
};

/** POST /api/auth/signup and /login; `refreshToken` only for clients that ask for it in the body. */
export type Session = { user: User; accessToken: string; refreshToken?: string };

/** POST /api/auth/refresh */
export type Refreshed = { accessToken: string; refreshToken?: string };

export type PartUrl = { partNumber: number; url: string };

/** The multipart upload POST /api/videos opens; part URLs expire at `expiresAt`. */
export type UploadPlan = {
  uploadId: string;
  partSize: number;
  partCount: number;
  expiresAt: string;
  parts: PartUrl[];
};

/** POST /api/videos → 201 */
export type CreatedVideo = { video: Video; upload: UploadPlan };

/** GET /api/videos/:id/upload: parts already stored, and fresh URLs for the missing ones. */
export type ResumeInfo = UploadPlan & {
  size: number;
  uploaded: { partNumber: number; etag: string; size: number }[];
};

/** GET /api/search */
export type SearchResult = Page<Video> & { creators: CreatorSummary[] };

/** GET /api/me/stats?from&to (dates as YYYY-MM-DD). */
export type Stats = {
  from: string;
  to: string;
  totals: { views: number; allTimeViews: number; videos: number };
  days: { date: string; views: number }[];
  videos: { id: string; title: string; views: number; totalViews: number }[];
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
