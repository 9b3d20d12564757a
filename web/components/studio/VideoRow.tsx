// One video in the studio list: poster, title, status, views, and its Edit and Delete forms
// (posted to the studio route's action with fetchers, so the list stays in place).
import type { ReactNode } from "react";
import { Link, useFetcher, type FetcherWithComponents } from "react-router";
import { isScheduled } from "#contract/schedule.ts";
import { formatDate, formatDateTime, formatDuration, formatNumber } from "../../lib/format";
import type { ActionResult, Video } from "../../lib/types";
import { FormError, primaryButton } from "../Field";
import { VideoFields } from "../VideoFields";
import { VideoStatus } from "../VideoStatus";
import { PosterPicker } from "./PosterPicker";
import { CaptionsEditor } from "./CaptionsEditor";

export function VideoRow({ video }: { video: Video }) {
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
        {isScheduled(video.publishAt) && (
          <p className="text-sm text-sky-300" data-testid="studio-scheduled">
            Scheduled for <time dateTime={video.publishAt}>{formatDateTime(video.publishAt)}</time>
          </p>
        )}
        {video.status === "uploading" && (
          <Link to={`/studio/upload?resume=${video.id}`} className="text-sm underline">
            Resume this upload
          </Link>
        )}
        {remove.data && !remove.data.ok && <FormError message={remove.data.error} />}
      </div>
      <div className="flex shrink-0 flex-wrap items-start gap-2 text-sm">
        <EditVideo video={video} />
        <PosterPicker video={video} />
        <CaptionsEditor video={video} />
        <RowAction label="Delete" danger video={video} intent="delete" fetcher={remove}>
          <p>Delete “{video.title}” for good? Its views and media are removed too. This cannot be undone.</p>
          <button type="submit" className="rounded bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800" disabled={deleting}>
            {deleting ? "Deleting…" : "Yes, delete it"}
          </button>
        </RowAction>
      </div>
    </li>
  );
}

function EditVideo({ video }: { video: Video }) {
  const edit = useFetcher<ActionResult>();
  const failed = edit.data && !edit.data.ok ? edit.data : null;
  return (
    <RowAction label="Edit" video={video} intent="update" fetcher={edit}>
      <VideoFields
        idFor={(field) => `${field}-${video.id}`}
        title={{ defaultValue: video.title }}
        titleError={failed?.fields.title}
        description={video.description}
        descriptionRows={3}
        visibility={video.visibility}
        publishAt={video.publishAt}
        publishAtError={failed?.fields.publishAt}
      />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="downloadable" defaultChecked={video.downloadable ?? false} className="mt-1" />
        <span>
          Allow downloads
          <span className="block text-neutral-400">
            Viewers get an MP4 once the video is ready.
          </span>
        </span>
      </label>
      {failed && <FormError message={failed.error} />}
      {edit.data?.ok && edit.state === "idle" && (
        <p role="status" className="text-sm text-emerald-300">
          Saved.
        </p>
      )}
      <button type="submit" className={primaryButton} disabled={edit.state !== "idle"}>
        {edit.state !== "idle" ? "Saving…" : "Save"}
      </button>
    </RowAction>
  );
}

type RowActionProps = {
  label: string;
  video: Video;
  intent: "update" | "delete";
  fetcher: FetcherWithComponents<ActionResult>;
  danger?: boolean;
  children: ReactNode;
};

/** A disclosure ("Edit", "Delete") holding a form that posts this video's id with an intent. */
function RowAction({ label, video, intent, fetcher, danger = false, children }: RowActionProps) {
  return (
    <details className={danger ? undefined : "group"}>
      <summary className={`rounded border px-3 py-1.5 ${danger ? "border-red-800 text-red-200 hover:bg-red-950" : "border-neutral-600 hover:bg-neutral-800"}`}>
        {label}
        <span className="sr-only"> “{video.title}”</span>
      </summary>
      <fetcher.Form method="post" className={`mt-2 w-72 space-y-3 rounded-lg border bg-neutral-900 p-3 ${danger ? "border-red-800" : "border-neutral-700"}`}>
        <input type="hidden" name="intent" value={intent} />
        <input type="hidden" name="id" value={video.id} />
        {children}
      </fetcher.Form>
    </details>
  );
}
