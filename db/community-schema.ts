// Tables of the community and moderation features (reports, the admin's action log,
// notifications) and per-viewer playback state (resume). Kept apart from db/schema.ts, which
// holds the core: users, creators, videos, transcoding, follows, views, comments, likes.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { moderationActions, reportReasons, reportStatuses, reportTargetKinds } from "../contract/limits.ts";
import { notificationKinds } from "../contract/notifications.ts";
import { comments, users, videos } from "./schema.ts";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();


// One row per reporter and target while open (a repeat report returns the same id).
export const reports = pgTable(
  "reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    reporterId: uuid("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    targetKind: text("target_kind", { enum: reportTargetKinds }).notNull(),
    // A video, comment or creator id; no foreign key, so a report outlives what it names.
    targetId: uuid("target_id").notNull(),
    reason: text("reason", { enum: reportReasons }).notNull(),
    detail: text("detail").notNull().default(""),
    status: text("status", { enum: reportStatuses }).notNull().default("open"),
    resolution: text("resolution", { enum: moderationActions }),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    check("reports_target_kind_check", sql`${t.targetKind} in ('video','comment','creator')`),
    check("reports_status_check", sql`${t.status} in ('open','resolved')`),
    uniqueIndex("reports_open_reporter_target_key").on(t.reporterId, t.targetKind, t.targetId).where(sql`status = 'open'`),
    index("reports_status_target_idx").on(t.status, t.targetKind, t.targetId, t.createdAt),
  ],
);

// Every admin action, who/when/what, so it can be audited and reversed.
export const moderationLog = pgTable(
  "moderation_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    adminId: uuid("admin_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action", { enum: moderationActions }).notNull(),
    targetKind: text("target_kind", { enum: reportTargetKinds }).notNull(),
    targetId: uuid("target_id").notNull(),
    reportId: uuid("report_id").references(() => reports.id, { onDelete: "set null" }),
    note: text("note").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [index("moderation_log_target_idx").on(t.targetKind, t.targetId, t.createdAt)],
);

// Unique keys make the fan-out idempotent: a redelivered batch inserts nothing twice.
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: notificationKinds }).notNull(),
    videoId: uuid("video_id").references(() => videos.id, { onDelete: "cascade" }),
    commentId: uuid("comment_id").references(() => comments.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "cascade" }),
    readAt: timestamp("read_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    check("notifications_kind_check", sql`${t.kind} in ('new-video','comment','reply')`),
    uniqueIndex("notifications_new_video_key").on(t.userId, t.videoId).where(sql`kind = 'new-video'`),
    uniqueIndex("notifications_comment_key").on(t.userId, t.commentId).where(sql`kind in ('comment','reply')`),
    index("notifications_user_idx").on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("notifications_unread_idx").on(t.userId).where(sql`read_at is null`),
  ],
);

// Where a signed-in viewer stopped, per video (written in batches by the player).
export const watchProgress = pgTable(
  "watch_progress",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    seconds: real("seconds").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.videoId] }), index("watch_progress_user_idx").on(t.userId, t.updatedAt)],
);


// Caption tracks per video and language (WebVTT stored under the video's media prefix).
export const captions = pgTable(
  "captions",
  {
    videoId: uuid("video_id")
      .notNull()
      .references(() => videos.id, { onDelete: "cascade" }),
    lang: text("lang").notNull(),
    label: text("label").notNull(),
    // Storage key of the WebVTT file; a new upload gets a new key so caches never serve the old one.
    key: text("key").notNull(),
    cueCount: integer("cue_count").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.videoId, t.lang] })],
);
