// /api/me/notifications (API.md "Notifications and feeds"): the signed-in user's notifications,
// newest first with the unread count, and marking them read. Only ever the caller's own rows.
import { Hono } from "hono";
import { z } from "zod";
import { markNotificationsReadSchema, type NotificationPage } from "#contract/notifications.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { decodeCursor, encodeCursor, pageQuerySchema } from "../discovery/pagination.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { presentNotification } from "./present.ts";
import { countUnread, listNotifications, markRead } from "./queries.ts";

export const notificationRoutes = new Hono<AppEnv>();

const timeCursor = z.strictObject({ t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), id: z.uuid() });

notificationRoutes.get("/", async (c) => {
  const user = requireUser(c);
  const { limit, cursor } = parseWith(pageQuerySchema, c.req.query());
  const after = decodeCursor(cursor, timeCursor);
  const rows = await listNotifications(c.var.db, user.id, after, limit);
  const unread = await countUnread(c.var.db, user.id);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  c.header("cache-control", "private, no-store");
  return c.json({
    items: items.map(presentNotification),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.sort_time, id: last.id }) : null,
    unread,
  } satisfies NotificationPage);
});

notificationRoutes.post("/read", async (c) => {
  const user = requireUser(c);
  const { ids } = await readJson(c, markNotificationsReadSchema);
  await markRead(c.var.db, user.id, ids);
  return c.body(null, 204);
});
