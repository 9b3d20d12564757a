// The contract's plain values: enums, limits and the multipart part-size rule. No imports at all,
// so a browser bundle can take these without zod; contract/api.ts re-exports all of it, so
// server code imports everything from there.

// ---------------------------------------------------------------------------------------------
// Enums

export const visibilities = ["public", "unlisted", "private"] as const;
export type Visibility = (typeof visibilities)[number];

export const videoStatuses = ["uploading", "queued", "processing", "ready", "failed"] as const;
export type VideoStatus = (typeof videoStatuses)[number];
/**
 * The status a video shows: the stored status, or "removed" once an admin took it down (only its
 * owner, in studio lists, and admins ever see such a video). Additive to the contract's enum.
 */
export const shownVideoStatuses = [...videoStatuses, "removed"] as const;
export type ShownVideoStatus = (typeof shownVideoStatuses)[number];

export const roles = ["viewer", "creator", "admin"] as const;
export type Role = (typeof roles)[number];
/** The roles sign-up may choose; admins are made with scripts/admin-grant.ts. */
export const signupRoles = ["viewer", "creator"] as const satisfies readonly Role[];

// ---------------------------------------------------------------------------------------------
// Limits

export const MAX_UPLOAD_BYTES = 10 * 1024 ** 3;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const DISPLAY_NAME_MAX = 50;
export const BIO_MAX = 500;
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;
/** Comments and replies: plain text, trimmed. */
export const COMMENT_MAX = 2000;

/** Reports (API.md "Reports and moderation"); db/community-schema.ts stores these values. */
export const reportTargetKinds = ["video", "comment", "creator"] as const;
export type ReportTargetKind = (typeof reportTargetKinds)[number];
export const reportReasons = ["spam", "abuse", "sexual", "violence", "copyright", "other"] as const;
export type ReportReason = (typeof reportReasons)[number];
export const reportStatuses = ["open", "resolved"] as const;
export type ReportStatus = (typeof reportStatuses)[number];
/** What an admin does with the open reports on a target. */
export const resolveActions = ["dismiss", "remove", "suspend-creator"] as const;
export type ResolveAction = (typeof resolveActions)[number];
/**
 * Every action the moderation log records: resolutions, their reversals, and an admin's change of a
 * user's quota ("set-quota", target kind "creator" with the user's id, old → new in the note).
 * Stored as text without a check constraint: adding a value needs no migration.
 */
export const moderationActions = ["dismiss", "remove", "suspend-creator", "unremove", "unsuspend", "reopen", "set-quota"] as const;
export type ModerationAction = (typeof moderationActions)[number];
/** A report's optional detail: plain text, trimmed. */
export const REPORT_DETAIL_MAX = 1000;
/** How much of a reported comment the admin queue shows. */
export const REPORT_EXCERPT_MAX = 280;

/** Chapters from the description (API.md "Playback extras"): at least this many, first at 0:00. */
export const CHAPTERS_MIN = 3;
/** Each chapter lasts at least this long (YouTube's rule), or the description has no chapters. */
export const CHAPTER_MIN_SECONDS = 10;
/** Chapter titles are cut to this many characters. */
export const CHAPTER_TITLE_MAX = 100;

/** Lists: `?cursor&limit`, limit 1–100. */
export const PAGE_LIMIT_MIN = 1;
export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 24;
/** Cursors are opaque; every cursor the API hands out is far shorter than this. */
export const CURSOR_MAX = 200;

// ---------------------------------------------------------------------------------------------
// Multipart upload: parts of at least 8 MiB (all but the last equal-sized, as S3 requires), large
// enough that any allowed file fits in S3's 10,000-part limit.

export const MIN_PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

/** The part size for a file of `size` bytes (whole MiB). */
export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS);
  return Math.max(MIN_PART_SIZE, Math.ceil(needed / MiB) * MiB);
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** Bytes in part `partNumber` (1-based): `partSize`, except the last part, which holds the rest. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}

// ---------------------------------------------------------------------------------------------
// Captions (API.md "Playback extras"): WebVTT or SRT per language, checked and sanitised.

/** Largest caption body accepted (bytes, before conversion). */
export const CAPTION_MAX_BYTES = 1024 * 1024;
/** Most cues one caption file may hold. */
export const CAPTION_MAX_CUES = 5000;
/** Longest cue text (characters, after sanitising). */
export const CAPTION_CUE_TEXT_MAX = 1000;
/** Latest time a cue may end (24 h, the longest video the platform has a position for). */
export const CAPTION_MAX_SECONDS = 24 * 3600;
/** Caption track labels (`?label=`); the language tag is the default. */
export const CAPTION_LABEL_MAX = 80;
/** Longest BCP 47 tag accepted as a caption language. */
export const CAPTION_LANG_MAX = 35;
/** Most caption languages per video. */
export const CAPTION_TRACKS_MAX = 50;
/** Most problems listed in a 422's `errors`. */
export const CAPTION_ERRORS_MAX = 20;
