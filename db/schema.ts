// The database schema. Table names are part of the contract with earlier seed data:
// users, creators, videos, follows, views. Everything else supports the flows in ARCHITECTURE.md.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { roles, videoStatuses, visibilities } from "../contract/api.ts";
import type { Rendition } from "../transcode-container/src/contract.ts";
import { TASK_KINDS, type AudioChunkSpec, type ChunkSpec, type DownloadSpec, type StoredPlan, type TaskResult } from "../transcode-container/src/chunks/task-contract.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: roles }).notNull().default("viewer"),
    // Moderation and quotas (db/community-schema.ts holds the rest): null means not suspended / the default quota.
    suspendedAt: timestamp("suspended_at", { withTimezone: true, mode: "date" }),
    storageQuotaBytes: bigint("storage_quota_bytes", { mode: "number" }),
    dailyUploadQuota: integer("daily_upload_quota"),
    createdAt: createdAt(),
  },
  (t) => [
    // Emails are case-insensitive: uniqueness is enforced on the lower-cased form.
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    check("users_role_check", sql`${t.role} in ('viewer','creator','admin')`),
  ],
);

export const creators = pgTable(
  "creators",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    bio: text("bio").notNull().default(""),
    followerCount: integer("follower_count").notNull().default(0),
    createdAt: createdAt(),
    search: tsvector("search").generatedAlwaysAs(sql`to_tsvector('simple', display_name)`),
  },
  (t) => [uniqueIndex("creators_user_id_key").on(t.userId), index("creators_search_idx").using("gin", t.search)],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // All tokens rotated from one login share a family; reuse of a rotated token revokes it.
    familyId: uuid("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_key").on(t.tokenHash),
    index("refresh_tokens_user_idx").on(t.userId),
    index("refresh_tokens_family_idx").on(t.familyId),
  ],
);

export const videos = pgTable(
  "videos",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    creatorId: uuid("creator_id")
      .notNull()
      .references(() => creators.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    visibility: text("visibility", { enum: visibilities }).notNull().default("public"),
    status: text("status", { enum: videoStatuses }).notNull().default("uploading"),
    playable: boolean("playable").notNull().default(false),
    progress: integer("progress").notNull().default(0),
    failureReason: text("failure_reason"),
    durationSeconds: real("duration_seconds"),
    width: integer("width"),
    height: integer("height"),
    viewCount: bigint("view_count", { mode: "number" }).notNull().default(0),
    // Kept in the same transaction as the video_likes row it counts (worker/likes/store.ts).
    likeCount: integer("like_count").notNull().default(0),
    commentsEnabled: boolean("comments_enabled").notNull().default(true),
    // Taken down by an admin (hidden from everyone but admins; reversible); scheduled publishing.
    removedAt: timestamp("removed_at", { withTimezone: true, mode: "date" }),
    publishAt: timestamp("publish_at", { withTimezone: true, mode: "date" }),
    downloadable: boolean("downloadable").notNull().default(false),
    // The downloadable MP4 once its task is done (worker/downloads); null while none is served.
    downloadKey: text("download_key"),
    // Views of the last 7 days, decayed by age; refreshed by the cron sweep, bumped by new views.
    trendingScore: doublePrecision("trending_score").notNull().default(0),
    // Upload
    filename: text("filename").notNull().default(""),
    contentType: text("content_type").notNull().default("application/octet-stream"),
    sourceSize: bigint("source_size", { mode: "number" }).notNull().default(0),
    uploadId: text("upload_id"),
    partSize: integer("part_size"),
    // Parts the uploader reported as stored ({ "<partNumber>": { etag, size } }), for resuming:
    // the S3 ListParts call is not available everywhere (wrangler's local S3 API lacks it).
    uploadedParts: jsonb("uploaded_parts").$type<Record<string, { etag: string; size: number }>>().notNull().default({}),
    // Transcode lease
    jobId: uuid("job_id"),
    attempt: integer("attempt").notNull().default(0),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, mode: "date" }),
    queuedAt: timestamp("queued_at", { withTimezone: true, mode: "date" }),
    // The chunk plan of the current job (ladder, images, chunk count); chunk specs live in transcode_tasks.
    plan: jsonb("plan").$type<StoredPlan>(),
    // Published media (keys under videos/<id>/)
    masterKey: text("master_key"),
    posterKey: text("poster_key"),
    storyboardKey: text("storyboard_key"),
    thumbnailKeys: jsonb("thumbnail_keys").$type<string[]>(),
    renditions: jsonb("renditions").$type<Rendition[]>(),
    // When the video is listed from: when it first became playable, or its publishAt if later
    // (worker/videos/schedule.ts); lists sort by it and show it only once it has come.
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }),
    readyAt: timestamp("ready_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    search: tsvector("search").generatedAlwaysAs(
      sql`setweight(to_tsvector('simple', coalesce(title, '')), 'A') || setweight(to_tsvector('simple', coalesce(description, '')), 'B')`,
    ),
  },
  (t) => [
    check("videos_status_check", sql`${t.status} in ('uploading','queued','processing','ready','failed')`),
    check("videos_visibility_check", sql`${t.visibility} in ('public','unlisted','private')`),
    index("videos_creator_idx").on(t.creatorId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // Public listings (latest, channel, feed) only ever show published public videos.
    index("videos_public_latest_idx")
      .on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`visibility = 'public' and published_at is not null`),
    index("videos_public_creator_idx")
      .on(t.creatorId, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`visibility = 'public' and published_at is not null`),
    index("videos_trending_idx")
      .on(t.trendingScore.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`visibility = 'public' and published_at is not null and trending_score > 0`),
    index("videos_status_idx").on(t.status, t.updatedAt).where(sql`status in ('uploading','queued','processing')`),
    index("videos_search_idx").using("gin", t.search),
  ],
);

// One row per piece of transcoding work of the current job: each chunk of the timeline, the
// audio rendition, the stills. Retries are counted per task; the queue carries (video, kind, index).
export const transcodeTasks = pgTable(
  "transcode_tasks",
  {
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: TASK_KINDS }).notNull(),
    index: integer("index").notNull(),
    jobId: uuid("job_id").notNull(),
    state: text("state", { enum: ["pending", "running", "done"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** A chunk row's ChunkSpec, an audio row's AudioChunkSpec, a download row's DownloadSpec (the kind says which). */
    spec: jsonb("spec").$type<ChunkSpec | AudioChunkSpec | DownloadSpec>(),
    result: jsonb("result").$type<TaskResult>(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    /** The transcoder slot running it: when it reports done, that slot is free for the next task. */
    slot: integer("slot"),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.kind, t.index] }),
    check("transcode_tasks_kind_check", sql`${t.kind} in ('chunk','audio','stills','download')`),
    check("transcode_tasks_state_check", sql`${t.state} in ('pending','running','done')`),
    // The sweep looks for tasks that stopped moving.
    index("transcode_tasks_unfinished_idx").on(t.state, t.updatedAt).where(sql`state <> 'done'`),
  ],
);

export const follows = pgTable(
  "follows",
  {
    followerId: uuid("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    creatorId: uuid("creator_id")
      .notNull()
      .references(() => creators.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.creatorId] }),
    index("follows_creator_idx").on(t.creatorId),
    index("follows_follower_created_idx").on(t.followerId, t.createdAt.desc().nullsFirst()),
  ],
);

export const views = pgTable(
  "views",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    // Signed-in: "u:<userId>"; anonymous: "a:<keyed hash of address + user agent>". Never a raw address.
    viewerKey: text("viewer_key").notNull(),
    hour: timestamp("hour", { withTimezone: true, mode: "date" }).notNull(),
    watchedSeconds: real("watched_seconds").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("views_dedupe_key").on(t.videoId, t.viewerKey, t.hour),
    index("views_created_idx").on(t.createdAt, t.videoId),
  ],
);

export const videoDailyViews = pgTable(
  "video_daily_views",
  {
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    views: integer("views").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.day] }), index("video_daily_views_day_idx").on(t.day, t.videoId)],
);

export const comments = pgTable(
  "comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    // One level of replies: parentId is always a top-level comment (never a reply).
    parentId: uuid("parent_id").references((): AnyPgColumn => comments.id, { onDelete: "cascade" }),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    likeCount: integer("like_count").notNull().default(0),
    replyCount: integer("reply_count").notNull().default(0),
    // A deleted comment with replies stays as a tombstone (empty body) so the thread keeps its place.
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
    editedAt: timestamp("edited_at", { withTimezone: true, mode: "date" }),
    removedAt: timestamp("removed_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("comments_video_new_idx").on(t.videoId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`parent_id is null`),
    index("comments_video_top_idx").on(t.videoId, t.likeCount.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`parent_id is null`),
    index("comments_parent_idx").on(t.parentId, t.createdAt, t.id).where(sql`parent_id is not null`),
    index("comments_author_idx").on(t.authorId),
  ],
);

export const videoLikes = pgTable(
  "video_likes",
  {
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.userId] }), index("video_likes_user_idx").on(t.userId)],
);

export const commentLikes = pgTable(
  "comment_likes",
  {
    commentId: uuid("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.userId] }), index("comment_likes_user_idx").on(t.userId)],
);
