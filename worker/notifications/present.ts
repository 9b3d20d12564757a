// The public shape of a notification (API.md "Notifications and feeds").
import type { Notification } from "#contract/notifications.ts";
import { anonymousLabel } from "../comments/present.ts";
import type { NotificationRow } from "./queries.ts";

export function presentNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    createdAt: row.created_at,
    read: row.read,
    ...(row.video_id ? { video: { id: row.video_id, title: row.video_title ?? "" } } : {}),
    ...(row.comment_id
      ? { comment: { id: row.comment_id, body: row.comment_body ?? "", ...(row.comment_parent_id ? { parentId: row.comment_parent_id } : {}) } }
      : {}),
    ...(row.actor_id ? { actor: { id: row.actor_id, displayName: row.actor_name ?? anonymousLabel(row.actor_id) } } : {}),
  };
}
