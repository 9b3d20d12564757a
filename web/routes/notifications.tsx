// /notifications: the signed-in person's notifications, newest first, 50 a page, with links to
// the videos; "Mark all as read" is a plain form POST (works without JavaScript).
import { Form, useNavigation } from "react-router";
import type { Route } from "./+types/notifications";
import { BackLink } from "../components/BackLink";
import { FormError, primaryButton } from "../components/Field";
import { NotificationItem } from "../components/notifications/NotificationItem";
import { requireMe } from "../lib/api.server";
import { loadNotifications, notificationsAction } from "../lib/notifications.server";

export const meta = () => [{ title: "Notifications · Edge Video" }, { name: "robots", content: "noindex" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  await requireMe(context, request);
  const cursor = new URL(request.url).searchParams.get("cursor");
  return { page: await loadNotifications(context, cursor), paged: !!cursor };
}

export async function action({ context, request }: Route.ActionArgs) {
  await requireMe(context, request);
  return notificationsAction(context, await request.formData());
}

export default function Notifications({ loaderData, actionData }: Route.ComponentProps) {
  const { page, paged } = loaderData;
  const busy = useNavigation().state === "submitting";
  return (
    <main id="main" className="mx-auto max-w-3xl px-4 py-6">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">Notifications</h1>
        {page.unread > 0 && (
          <Form method="post">
            <input type="hidden" name="intent" value="read-all" />
            <button type="submit" className={primaryButton} disabled={busy}>
              Mark all as read
            </button>
          </Form>
        )}
      </div>
      <p className="mb-4 text-sm text-neutral-300" aria-live="polite">
        {page.unread === 0 ? "You are all caught up." : `${page.unread} unread`}
      </p>
      <FormError message={actionData && !actionData.ok ? actionData.error : undefined} />
      {paged && <BackLink to="/notifications">Back to the newest</BackLink>}
      {page.items.length === 0 ? (
        <p className="text-neutral-300">No notifications yet. Follow creators to hear about their new videos.</p>
      ) : (
        <ul className="divide-y divide-neutral-800 rounded-xl border border-neutral-800" aria-label="Your notifications">
          {page.items.map((n) => (
            <NotificationItem key={n.id} n={n} />
          ))}
        </ul>
      )}
      {page.nextCursor && (
        <p className="mt-4">
          <a href={`/notifications?cursor=${encodeURIComponent(page.nextCursor)}`} className="underline">
            Older notifications
          </a>
        </p>
      )}
    </main>
  );
}
