// The video part of the public contract (shared/API.md): upload, metadata, playback extras
// requests and the Video shape. Re-exported by ./api.ts, which is what callers import.
import { z } from "zod";
import {
  DESCRIPTION_MAX,
  MAX_PARTS,
  TITLE_MAX,
  visibilities,
  type ShownVideoStatus,
  type Visibility,
} from "./limits.ts";
import type { Chapter } from "./chapters.ts";
import { POSTER_FRAMES } from "./playback-extras.ts";
import type { CreatorSummary } from "./accounts.ts";

/** Path ids are UUIDs; anything else is simply not found (never a 500 from Postgres). */
export const videoIdParam = z.uuid();


const title = z.string().trim().min(1, "Give the video a title.").max(TITLE_MAX, `Titles are at most ${TITLE_MAX} characters.`);
const description = z.string().max(DESCRIPTION_MAX, `Descriptions are at most ${DESCRIPTION_MAX.toLocaleString("en-US")} characters.`);
const etag = z.string().min(1).max(200);
/**
 * An instant with its offset ("2026-12-05T14:30:00+01:00" or "…Z"); null clears the schedule.
 * Whether it is ahead and within PUBLISH_AT_MAX_DAYS is checked against the clock (422,
 * ./schedule.ts); only public videos can carry one.
 */
const publishAt = z.iso.datetime({ offset: true, error: "An ISO 8601 date and time with its offset, e.g. 2026-12-05T14:30:00+01:00." }).nullable();

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
  publishAt: publishAt.optional(),
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
    publishAt: publishAt.optional(),
    /** Viewers may fetch an MP4 (`playback.download`), made by the transcoder once the video is ready. */
    downloadable: z.boolean().optional(),
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

export type CreateVideoInput = z.input<typeof createVideoSchema>;
export type CompleteUploadInput = z.input<typeof completeUploadSchema>;

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
  /** For its owner only: whether viewers may download it (`playback.download` once the MP4 is made). */
  downloadable?: boolean;
  /** Parsed from the description (contract/chapters.ts); [] when it has none. */
  chapters: Chapter[];
  createdAt: string;
  /**
   * Scheduled publishing (./schedule.ts): while this is ahead, a public video plays by its link
   * but is in no list and has notified nobody. Null when it was never scheduled.
   */
  publishAt: string | null;
  creator: { id: string; displayName: string };
  /**
   * `hls` is the master playlist URL (signed for private videos); `thumbnails` are the generated
   * poster candidates (frame 1… of PUT /api/videos/:id/poster), [] until the video is ready;
   * `download` is the MP4 (signed like `hls`), null while downloads are off or it is not made yet.
   */
  playback: { hls: string; poster: string | null; storyboard: string | null; thumbnails: string[]; download: string | null } | null;
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
