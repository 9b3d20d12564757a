// Notification data functions. A notification is shown only while what it points at may be
// shown to its recipient: its video exists, is not removed, is not private (unless theirs) and
// its creator is not suspended; its comment is neither deleted nor removed.
import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { notifications } from "#db/community-schema.ts";
import { NOTIFICATION_EXCERPT_MAX, type NotificationKind } from "#contract/notifications.ts";
import type { Database } from "../db/connection.ts";

export type NotificationRow = {
  id: string;
  kind: NotificationKind;
  read: boolean;
  created_at: string;
  sort_time: string;
  video_id: string | null;
  video_title: string | null;
  comment_id: string | null;
  comment_body: string | null;
  comment_parent_id: string | null;
  actor_id: string | null;
  actor_name: string | null;
};

const FROM = sql`
  from notifications n
  left join videos v on v.id = n.video_id
  left join creators vc on vc.id = v.creator_id
  left join users vu on vu.id = vc.user_id
  left join comments cm on cm.id = n.comment_id`;

const SHOWN = sql`
  (n.video_id is null or (v.id is not null and v.removed_at is null
    and (vc.user_id = n.user_id or (v.visibility <> 'private' and vu.suspended_at is null))))
  and (n.comment_id is null or (cm.id is not null and cm.deleted_at is null and cm.removed_at is null))`;

/** Newest first; one more than `limit` is read to know whether a next page exists. */
export async function listNotifications(db: Database, userId: string, after: { t: string; id: string } | undefined, limit: number): Promise<NotificationRow[]> {
  const page: SQL = after ? sql`and (n.created_at, n.id) < (${after.t}::timestamptz, ${after.id}::uuid)` : sql``;
  const result = await db.execute<NotificationRow>(sql`
    select n.id, n.kind, n.read_at is not null as read,
           to_char(n.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
           to_char(n.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_time,
           v.id as video_id, v.title as video_title,
           cm.id as comment_id, left(cm.body, ${NOTIFICATION_EXCERPT_MAX}) as comment_body, cm.parent_id as comment_parent_id,
           n.actor_id, ac.display_name as actor_name
    ${FROM}
    left join creators ac on ac.user_id = n.actor_id
    where n.user_id = ${userId} and ${SHOWN} ${page}
    order by n.created_at desc, n.id desc
    limit ${limit + 1}`);
  return result.rows;
}

export async function countUnread(db: Database, userId: string): Promise<number> {
  const result = await db.execute<{ unread: number }>(sql`
    select count(*)::int as unread ${FROM}
    where n.user_id = ${userId} and n.read_at is null and ${SHOWN}`);
  return result.rows[0]?.unread ?? 0;
}

/** Marks the caller's notifications read: the given ids (others' ids match nothing), or all. */
export async function markRead(db: Database, userId: string, ids: string[] | undefined): Promise<void> {
  if (ids && ids.length === 0) return;
  await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined));
}

/** A comment or reply notification: one row, never to the one who wrote it; repeats are ignored. */
export async function notifyComment(
  db: Database,
  values: { recipientId: string; actorId: string; kind: Exclude<NotificationKind, "new-video">; videoId: string; commentId: string },
): Promise<void> {
  if (values.recipientId === values.actorId) return;
  await db
    .insert(notifications)
    .values({ userId: values.recipientId, actorId: values.actorId, kind: values.kind, videoId: values.videoId, commentId: values.commentId })
    .onConflictDoNothing();
}
