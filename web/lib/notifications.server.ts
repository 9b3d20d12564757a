// The header's unread count and the /notifications page's data and actions. Server-only.
import type { RouterContextProvider } from "react-router";
import type { NotificationPage } from "#contract/notifications.ts";
import { actionResult, api, failure, loadJson, sendJson, text } from "./api.server";

type Ctx = Readonly<RouterContextProvider>;

/** The signed-in person's unread count (null when signed out or the API cannot say). */
export async function getUnreadCount(context: Ctx): Promise<number | null> {
  const res = await api(context)("/api/me/notifications?limit=1");
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  return ((await res.json()) as NotificationPage).unread;
}

export const loadNotifications = (context: Ctx, cursor: string | null) =>
  loadJson<NotificationPage>(context, `/api/me/notifications?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);

/** intent "read-all" marks everything read; "read" marks the one notification in `id`. */
export async function notificationsAction(context: Ctx, form: FormData) {
  const intent = text(form, "intent");
  if (intent === "read-all") return actionResult(await sendJson(context, "/api/me/notifications/read", "POST", {}), intent);
  if (intent === "read") return actionResult(await sendJson(context, "/api/me/notifications/read", "POST", { ids: [text(form, "id")] }), intent);
  return failure("Unknown action.", 400, {}, intent);
}
