// Notifications (API.md "Notifications and feeds"): the request rules and response shapes of
// GET /api/me/notifications and POST /api/me/notifications/read, and the fan-out batch size.
import { z } from "zod";

export const notificationKinds = ["new-video", "comment", "reply"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** POST /api/me/notifications/read takes at most this many ids at once (a page is at most 100). */
export const MARK_READ_IDS_MAX = 100;
/** Followers per fan-out message: one INSERT … SELECT each (worker/notifications/fan-out.ts). */
export const FAN_OUT_BATCH = 1000;
/** A comment in a notification is cut to this many characters. */
export const NOTIFICATION_EXCERPT_MAX = 200;

/** POST /api/me/notifications/read: the listed ids, or every notification when `ids` is absent. */
export const markNotificationsReadSchema = z.strictObject({
  ids: z.array(z.uuid()).max(MARK_READ_IDS_MAX, `Mark at most ${MARK_READ_IDS_MAX} notifications at a time.`).optional(),
});

export type Notification = {
  id: string;
  kind: NotificationKind;
  createdAt: string;
  read: boolean;
  video?: { id: string; title: string };
  /** comment and reply: the new comment (an excerpt of its text); a reply names its thread's top-level comment. */
  comment?: { id: string; body: string; parentId?: string };
  /** Who did it: the creator (new-video) or the commenter. */
  actor?: { id: string; displayName: string };
};

/** GET /api/me/notifications: newest first; `unread` counts every unread one still shown. */
export type NotificationPage = { items: Notification[]; nextCursor: string | null; unread: number };
