// /admin: the moderation queue (admins only; anyone else gets a 403 page). Open reports grouped by
// what they name, with a preview, reason counts and one-click actions, and the recent moderation
// actions with a button to reverse those still in effect. Every button is a plain form.
import { Link, data, isRouteErrorResponse, useFetcher } from "react-router";
import type { Route } from "./+types/admin";
import { reportReasons, type ModerationLogEntry, type Page, type ReportGroup, type ReportTarget } from "#contract/api.ts";
import { loadJson, requireMe } from "../lib/api.server";
import { adminAction } from "../lib/moderation.server";
import { formatDate } from "../lib/format";
import type { ActionResult } from "../lib/types";

export async function loader({ context, request }: Route.LoaderArgs) {
  const me = await requireMe(context, request);
  if (me.user.role !== "admin") throw data({ message: "Only admins can see this page." }, { status: 403 });
  const [reports, log] = await Promise.all([
    loadJson<Page<ReportGroup>>(context, "/api/admin/reports?status=open&limit=50"),
    loadJson<Page<ModerationLogEntry>>(context, "/api/admin/moderation-log?limit=20"),
  ]);
  return { reports: reports.items, log: log.items };
}

export async function action({ request, context }: Route.ActionArgs) {
  return adminAction(context, await request.formData());
}

export const meta = () => [{ title: "Moderation · Edge Video" }, { name: "robots", content: "noindex" }];

function targetName(target: ReportTarget): string {
  if (target.gone) return `Deleted ${target.kind}`;
  if (target.kind === "video") return `Video “${target.title}”`;
  if (target.kind === "comment") return `Comment by ${target.owner.displayName}`;
  return `Channel ${target.displayName}`;
}

function Preview({ target }: { target: ReportTarget }) {
  if (target.gone) return <p className="text-sm text-neutral-300">It has been deleted since it was reported.</p>;
  if (target.kind === "video") {
    return (
      <div className="flex gap-3">
        {target.poster ? (
          <img src={target.poster} alt="" width={160} height={90} className="aspect-video w-40 rounded bg-neutral-800 object-cover" />
        ) : (
          <div className="aspect-video w-40 rounded bg-neutral-800" />
        )}
        <p className="text-sm text-neutral-200">
          by {target.owner.displayName} · {target.visibility}
          {target.removed && " · removed"}
          <br />
          {!target.removed && (
            <Link className="underline" to={`/watch/${target.id}`}>
              Open the video<span className="sr-only"> {target.title}</span>
            </Link>
          )}
        </p>
      </div>
    );
  }
  if (target.kind === "comment") {
    return (
      <div className="text-sm">
        <blockquote className="whitespace-pre-wrap break-words border-l-2 border-neutral-600 pl-3 text-neutral-100">{target.excerpt}</blockquote>
        <p className="mt-1 text-neutral-300">
          on <Link className="underline" to={`/watch/${target.videoId}`}>{target.videoTitle}</Link>
          {target.removed && " · removed"}
          {target.deleted && " · deleted by its author"}
        </p>
      </div>
    );
  }
  return (
    <p className="text-sm text-neutral-200">
      <Link className="underline" to={`/c/${target.id}`}>{target.displayName}</Link>
      {target.suspended && " · suspended"}
    </p>
  );
}

function ActionButton({ intent, id, action, children, name }: { intent: string; id: string; action?: string; children: string; name: string }) {
  const fetcher = useFetcher<ActionResult>();
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null;
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      {action && <input type="hidden" name="action" value={action} />}
      <button type="submit" disabled={fetcher.state !== "idle"} className="rounded-full border border-neutral-500 px-3 py-1 text-sm hover:bg-neutral-800">
        {children}
        <span className="sr-only"> — {name}</span>
      </button>
      {failed && (
        <p role="alert" className="mt-1 text-sm text-red-300">
          {failed}
        </p>
      )}
    </fetcher.Form>
  );
}

function ReportCard({ group }: { group: ReportGroup }) {
  const name = targetName(group.target);
  const headingId = `report-${group.id}`;
  return (
    <li>
      <article aria-labelledby={headingId} className="rounded-xl bg-neutral-900 p-4" data-testid="report-group">
        <h3 id={headingId} className="font-semibold break-words">
          {name}
        </h3>
        <div className="mt-2">
          <Preview target={group.target} />
        </div>
        <p className="mt-2 text-sm text-neutral-300">
          {group.reporterCount} {group.reporterCount === 1 ? "person" : "people"} reported this · newest <time dateTime={group.newestAt}>{formatDate(group.newestAt)}</time>
        </p>
        <ul className="mt-1 flex flex-wrap gap-2 text-sm" aria-label="Reasons">
          {reportReasons
            .filter((r) => group.reasons[r] > 0)
            .map((r) => (
              <li key={r} className="rounded bg-neutral-800 px-2 py-0.5">
                {r}: {group.reasons[r]}
              </li>
            ))}
        </ul>
        {group.details.length > 0 && (
          <ul className="mt-2 list-disc pl-5 text-sm text-neutral-200">
            {group.details.map((d, i) => (
              <li key={i} className="whitespace-pre-wrap break-words">
                {d}
              </li>
            ))}
          </ul>
        )}
        <div className="mt-3 flex flex-wrap gap-2">
          <ActionButton intent="resolve" id={group.id} action="dismiss" name={name}>
            Dismiss
          </ActionButton>
          {!group.target.gone && group.target.kind !== "creator" && (
            <ActionButton intent="resolve" id={group.id} action="remove" name={name}>
              Remove
            </ActionButton>
          )}
          {!group.target.gone && (
            <ActionButton intent="resolve" id={group.id} action="suspend-creator" name={name}>
              Suspend creator
            </ActionButton>
          )}
        </div>
      </article>
    </li>
  );
}

const ACTIONS: Record<ModerationLogEntry["action"], string> = {
  dismiss: "Dismissed reports on",
  remove: "Removed",
  "suspend-creator": "Suspended account",
  unremove: "Restored",
  unsuspend: "Unsuspended account",
  reopen: "Reopened reports on",
  "set-quota": "Changed the quota of",
};

function reverseIntent(entry: ModerationLogEntry): string | null {
  if (!entry.reversible) return null;
  if (entry.action === "suspend-creator") return "unsuspend";
  if (entry.action === "remove") return entry.target.kind === "video" ? "restore-video" : "restore-comment";
  return null;
}

export default function Admin({ loaderData }: Route.ComponentProps) {
  const { reports, log } = loaderData;
  return (
    <main id="main" className="mx-auto max-w-5xl px-4 py-6">
      <h1 className="text-2xl font-bold">Moderation</h1>
      <section aria-labelledby="open-reports" className="mt-6">
        <h2 id="open-reports" className="text-lg font-semibold">
          Open reports
        </h2>
        {reports.length === 0 ? (
          <p className="mt-2 text-neutral-300">No open reports.</p>
        ) : (
          <ul className="mt-3 space-y-4">
            {reports.map((g) => (
              <ReportCard key={g.id} group={g} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="recent-actions" className="mt-10">
        <h2 id="recent-actions" className="text-lg font-semibold">
          Recent actions
        </h2>
        {log.length === 0 ? (
          <p className="mt-2 text-neutral-300">Nothing yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-neutral-800" data-testid="moderation-log">
            {log.map((entry) => {
              const reverse = reverseIntent(entry);
              const what = `${ACTIONS[entry.action]} ${entry.target.kind} ${entry.target.id}`;
              return (
                <li key={entry.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                  <span className="break-all">
                    {what}
                    {entry.note && ` (${entry.note})`} · {entry.admin?.email ?? "a former admin"} · <time dateTime={entry.createdAt}>{formatDate(entry.createdAt)}</time>
                  </span>
                  {reverse && (
                    <ActionButton intent={reverse} id={entry.target.id} name={what}>
                      Reverse
                    </ActionButton>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </main>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <main id="main" className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">{status === 403 ? "Admins only" : "The moderation page cannot be shown"}</h1>
      <p className="mt-2 text-neutral-300">{status === 403 ? "This page is for the site's admins." : "Something went wrong. Please try again."}</p>
      <Link className="mt-4 inline-block underline" to="/">
        Browse videos
      </Link>
    </main>
  );
}
