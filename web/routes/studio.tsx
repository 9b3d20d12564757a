import { useEffect, useMemo, useState } from "react";
import { Form, Link, redirect, useFetcher, useNavigation } from "react-router";
import type { Route } from "./+types/studio";
import { Field, FormError, primaryButton } from "../components/Field";
import { VideoStatus } from "../components/VideoStatus";
import { ViewsChart } from "../components/ViewsChart";
import { actionResult, cookieHeaders, failure, loadJson, requireMe, sendJson, text } from "../lib/api.server";
import { callApi } from "../lib/client-api";
import { formatDate, formatDuration, formatNumber } from "../lib/format";
import { readProblem, problemText } from "../lib/problem";
import type { ActionResult, Page, Stats, Video } from "../lib/types";

export const meta = () => [{ title: "Studio · Edge Video" }, { name: "robots", content: "noindex" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  const me = await requireMe(context, request);
  if (!me.creator) return { me, videos: null, stats: null };
  const [videos, stats] = await Promise.all([
    loadJson<Page<Video>>(context, `/api/creators/${me.creator.id}/videos?limit=100`),
    loadJson<Stats>(context, "/api/me/stats"),
  ]);
  return { me, videos, stats };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const id = encodeURIComponent(text(form, "id"));
  if (intent === "become-creator") {
    const res = await sendJson(context, "/api/me/creator", "POST", { displayName: text(form, "displayName").trim(), bio: text(form, "bio") });
    // The API hands out an access token with the new role: pass its cookie on.
    if (res.ok) return redirect("/studio", { headers: cookieHeaders(res) });
    const p = await readProblem(res);
    return failure(problemText(p), p.status, p.fields, intent);
  }
  if (intent === "update") {
    const res = await sendJson(context, `/api/videos/${id}`, "PATCH", {
      title: text(form, "title"),
      description: text(form, "description"),
      visibility: text(form, "visibility"),
    });
    return actionResult(res, intent);
  }
  if (intent === "delete") return actionResult(await sendJson(context, `/api/videos/${id}`, "DELETE"), intent);
  return failure("Unknown action.", 400, {}, intent);
}

const ACTIVE = new Set(["uploading", "queued", "processing"]);

export default function Studio({ loaderData, actionData }: Route.ComponentProps) {
  const { me, videos, stats } = loaderData;
  if (!videos || !stats) return <BecomeCreator result={actionData} />;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Studio</h1>
          <p className="text-sm text-neutral-400">
            {me.creator!.displayName} ·{" "}
            <Link to={`/c/${me.creator!.id}`} className="underline">
              View channel
            </Link>
          </p>
        </div>
        <Link to="/studio/upload" className={primaryButton}>
          Upload a video
        </Link>
      </div>
      <VideoTable initial={videos.items} />
      <Analytics stats={stats} />
    </main>
  );
}

function VideoTable({ initial }: { initial: Video[] }) {
  // Live status: poll each video that is still on its way, without reloading the page.
  const [live, setLive] = useState<Record<string, Video>>({});
  const [gone, setGone] = useState<Set<string>>(new Set());
  useEffect(() => setLive({}), [initial]);
  const videos = useMemo(() => initial.filter((v) => !gone.has(v.id)).map((v) => live[v.id] ?? v), [initial, live, gone]);
  const active = videos.filter((v) => ACTIVE.has(v.status)).map((v) => v.id);
  const activeKey = active.join(",");
  useEffect(() => {
    if (!active.length) return;
    let stopped = false;
    const tick = async () => {
      if (document.hidden) return;
      const updates = await Promise.all(
        active.map(async (id) => {
          try {
            const res = await callApi(`/api/videos/${id}`);
            if (res.status === 404) return [id, null] as const;
            return res.ok ? ([id, (await res.json()) as Video] as const) : null;
          } catch {
            return null;
          }
        }),
      );
      if (stopped) return;
      setLive((prev) => {
        const next = { ...prev };
        for (const u of updates) if (u && u[1]) next[u[0]] = u[1];
        return next;
      });
      const missing = updates.filter((u) => u && !u[1]).map((u) => u![0]);
      if (missing.length) setGone((prev) => new Set([...prev, ...missing]));
    };
    const timer = setInterval(tick, 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [activeKey]);

  return (
    <section aria-labelledby="videos-heading">
      <h2 id="videos-heading" className="mb-3 text-xl font-semibold">
        Your videos
      </h2>
      {videos.length === 0 ? (
        <p className="text-neutral-300">
          No videos yet.{" "}
          <Link to="/studio/upload" className="underline">
            Upload your first one
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-neutral-800 rounded-xl border border-neutral-800" aria-label="Your videos">
          {videos.map((v) => (
            <VideoRow key={v.id} video={v} />
          ))}
        </ul>
      )}
    </section>
  );
}

function VideoRow({ video }: { video: Video }) {
  const edit = useFetcher<ActionResult>();
  const remove = useFetcher<ActionResult>();
  const deleting = remove.state !== "idle" || (remove.data?.ok ?? false);
  const poster = video.playback?.poster;
  return (
    <li className={`flex flex-col gap-3 p-3 sm:flex-row ${deleting ? "opacity-50" : ""}`} data-video-id={video.id}>
      <div className="relative aspect-video w-full shrink-0 overflow-hidden rounded bg-neutral-800 sm:w-44">
        {poster ? <img src={poster} alt="" className="h-full w-full object-cover" loading="lazy" /> : null}
        {video.durationSeconds != null && (
          <span className="absolute bottom-1 right-1 rounded bg-black/85 px-1 text-xs text-white">{formatDuration(video.durationSeconds)}</span>
        )}
      </div>
      <div className="min-w-0 flex-1 space-y-2">
        <h3 className="font-medium">
          {video.playable ? (
            <Link to={`/watch/${video.id}`} className="hover:underline">
              {video.title}
            </Link>
          ) : (
            video.title
          )}
        </h3>
        <VideoStatus video={video} />
        <p className="text-sm text-neutral-400">
          <span className="capitalize">{video.visibility}</span> · <span data-testid="studio-views">{formatNumber(video.viewCount)}</span>{" "}
          {video.viewCount === 1 ? "view" : "views"} · {formatDate(video.createdAt)}
        </p>
        {video.status === "uploading" && (
          <Link to={`/studio/upload?resume=${video.id}`} className="text-sm underline">
            Resume this upload
          </Link>
        )}
        {remove.data && !remove.data.ok && <FormError message={remove.data.error} />}
      </div>
      <div className="flex shrink-0 flex-wrap items-start gap-2 text-sm">
        <details className="group">
          <summary className="rounded border border-neutral-600 px-3 py-1.5 hover:bg-neutral-800">
            Edit<span className="sr-only"> “{video.title}”</span>
          </summary>
          <edit.Form method="post" className="mt-2 w-72 space-y-3 rounded-lg border border-neutral-700 bg-neutral-900 p-3">
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="id" value={video.id} />
            <Field label="Title" name="title" defaultValue={video.title} required maxLength={200} error={edit.data && !edit.data.ok ? edit.data.fields.title : undefined} id={`title-${video.id}`} />
            <div className="space-y-1">
              <label htmlFor={`description-${video.id}`} className="block text-sm font-medium">
                Description
              </label>
              <textarea
                id={`description-${video.id}`}
                name="description"
                defaultValue={video.description}
                rows={3}
                maxLength={5000}
                className="w-full rounded border border-neutral-600 bg-neutral-900 px-3 py-2"
              />
            </div>
            <div className="space-y-1">
              <label htmlFor={`visibility-${video.id}`} className="block text-sm font-medium">
                Visibility
              </label>
              <select
                id={`visibility-${video.id}`}
                name="visibility"
                defaultValue={video.visibility}
                className="w-full rounded border border-neutral-600 bg-neutral-900 px-3 py-2"
              >
                <option value="public">Public</option>
                <option value="unlisted">Unlisted (only with the link)</option>
                <option value="private">Private (only you)</option>
              </select>
            </div>
            {edit.data && !edit.data.ok && <FormError message={edit.data.error} />}
            {edit.data?.ok && edit.state === "idle" && (
              <p role="status" className="text-sm text-emerald-300">
                Saved.
              </p>
            )}
            <button type="submit" className={primaryButton} disabled={edit.state !== "idle"}>
              {edit.state !== "idle" ? "Saving…" : "Save"}
            </button>
          </edit.Form>
        </details>
        <details>
          <summary className="rounded border border-red-800 px-3 py-1.5 text-red-200 hover:bg-red-950">
            Delete<span className="sr-only"> “{video.title}”</span>
          </summary>
          <remove.Form method="post" className="mt-2 w-72 space-y-3 rounded-lg border border-red-800 bg-neutral-900 p-3">
            <input type="hidden" name="intent" value="delete" />
            <input type="hidden" name="id" value={video.id} />
            <p>Delete “{video.title}” for good? Its views and media are removed too. This cannot be undone.</p>
            <button type="submit" className="rounded bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800" disabled={deleting}>
              {deleting ? "Deleting…" : "Yes, delete it"}
            </button>
          </remove.Form>
        </details>
      </div>
    </li>
  );
}

function Analytics({ stats }: { stats: Stats }) {
  const cards = [
    ["Views, last 28 days", stats.totals.views],
    ["Views, all time", stats.totals.allTimeViews],
    ["Videos", stats.totals.videos],
  ] as const;
  return (
    <section aria-labelledby="analytics-heading" className="mt-10">
      <h2 id="analytics-heading" className="mb-3 text-xl font-semibold">
        Analytics
      </h2>
      <dl className="mb-6 grid grid-cols-1 gap-3 sm:grid-cols-3">
        {cards.map(([label, value]) => (
          <div key={label} className="rounded-xl border border-neutral-800 p-4">
            <dt className="text-sm text-neutral-400">{label}</dt>
            <dd className="text-2xl font-semibold tabular-nums">{formatNumber(value)}</dd>
          </div>
        ))}
      </dl>
      <div className="max-w-3xl rounded-xl border border-neutral-800 p-4">
        <ViewsChart days={stats.days} />
      </div>
      {stats.videos.length > 0 && (
        <div className="mt-6 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="mb-2 text-left text-base font-semibold">Views per video</caption>
            <thead>
              <tr className="border-b border-neutral-700">
                <th scope="col" className="py-2 font-medium">
                  Video
                </th>
                <th scope="col" className="py-2 text-right font-medium">
                  Last 28 days
                </th>
                <th scope="col" className="py-2 text-right font-medium">
                  All time
                </th>
              </tr>
            </thead>
            <tbody>
              {stats.videos.map((v) => (
                <tr key={v.id} className="border-b border-neutral-800">
                  <td className="py-2 pr-4">
                    <Link to={`/watch/${v.id}`} className="hover:underline">
                      {v.title}
                    </Link>
                  </td>
                  <td className="py-2 text-right tabular-nums">{formatNumber(v.views)}</td>
                  <td className="py-2 text-right tabular-nums">{formatNumber(v.totalViews)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BecomeCreator({ result }: { result?: ActionResult }) {
  const busy = useNavigation().state === "submitting";
  const error = result && !result.ok ? result : null;
  return (
    <main id="main" className="mx-auto max-w-md px-4 py-10">
      <h1 className="text-2xl font-bold">Become a creator</h1>
      <p className="mt-2 text-neutral-300">Creators get a channel, can upload videos and see their analytics here.</p>
      <Form method="post" className="mt-6 space-y-4">
        <input type="hidden" name="intent" value="become-creator" />
        <FormError message={error?.error} />
        <Field label="Display name" name="displayName" required maxLength={80} hint="The name on your channel." error={error?.fields.displayName} />
        <Field label="Bio (optional)" name="bio" maxLength={500} error={error?.fields.bio} />
        <button type="submit" className={primaryButton} disabled={busy}>
          {busy ? "Creating…" : "Create my channel"}
        </button>
      </Form>
    </main>
  );
}
