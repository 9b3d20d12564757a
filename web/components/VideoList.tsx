// A grid of videos with a "More" link that follows the API cursor: a plain link without
// JavaScript (the next page renders on its own), loaded in place with a fetcher when it runs.
import { useEffect, useState } from "react";
import { Link, useFetcher } from "react-router";
import { formatDuration, formatViews, timeAgo } from "../lib/format";
import type { Page, Video } from "../lib/types";

type Props = {
  page: Page<Video>;
  /** The page URL showing the next items, given the cursor. */
  moreHref: (cursor: string) => string;
  /** Picks the page out of the route's loader data (for the fetcher). */
  pick: (data: unknown) => Page<Video> | undefined;
  label: string;
  empty?: string;
  eager?: number;
  showCreator?: boolean;
  /** The route is an index route (fetchers must say `?index`). */
  index?: boolean;
};

export function VideoList({ page, moreHref, pick, label, empty = "No videos yet.", eager = 0, showCreator, index }: Props) {
  const fetcher = useFetcher();
  const [extra, setExtra] = useState<Video[]>([]);
  const [cursor, setCursor] = useState(page.nextCursor);
  useEffect(() => {
    setExtra([]);
    setCursor(page.nextCursor);
  }, [page]);
  useEffect(() => {
    const next = fetcher.data ? pick(fetcher.data) : undefined;
    if (!next) return;
    setExtra((items) => [...items, ...next.items.filter((v) => !items.some((x) => x.id === v.id))]);
    setCursor(next.nextCursor);
  }, [fetcher.data]);

  const items = [...page.items, ...extra];
  if (!items.length) return <p className="text-neutral-300">{empty}</p>;
  return (
    <>
      <ul aria-label={label} className="grid grid-cols-1 gap-x-4 gap-y-6 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
        {items.map((v, i) => (
          <VideoCard key={v.id} video={v} eager={i < eager} showCreator={showCreator} />
        ))}
      </ul>
      {cursor && (
        <p className="mt-6 text-center">
          <a
            href={moreHref(cursor)}
            onClick={(e) => {
              e.preventDefault();
              const href = moreHref(cursor);
              fetcher.load(index ? `${href}${href.includes("?") ? "&" : "?"}index` : href);
            }}
            className="inline-block rounded-full border border-neutral-600 px-5 py-2 hover:bg-neutral-800"
            aria-busy={fetcher.state !== "idle"}
          >
            {fetcher.state !== "idle" ? "Loading…" : `More ${label.toLowerCase()}`}
          </a>
        </p>
      )}
    </>
  );
}

export function VideoCard({ video, eager = false, showCreator = true }: { video: Video; eager?: boolean; showCreator?: boolean }) {
  const poster = video.playback?.poster;
  return (
    <li className="min-w-0">
      <Link to={`/watch/${video.id}`} prefetch="intent" className="group block rounded-lg">
        <div className="relative aspect-video overflow-hidden rounded-lg bg-neutral-800">
          {poster ? (
            <img
              src={poster}
              alt=""
              width={480}
              height={270}
              loading={eager ? "eager" : "lazy"}
              decoding="async"
              className="h-full w-full object-cover transition group-hover:scale-[1.02]"
            />
          ) : (
            <div className="grid h-full place-items-center text-sm text-neutral-300">{video.playable ? "No preview" : "Processing…"}</div>
          )}
          {video.durationSeconds != null && (
            <span className="absolute bottom-1.5 right-1.5 rounded bg-black/85 px-1.5 py-0.5 text-xs font-medium text-white">
              {formatDuration(video.durationSeconds)}
            </span>
          )}
        </div>
        <h3 className="mt-2 line-clamp-2 font-medium leading-snug group-hover:underline">{video.title}</h3>
      </Link>
      {showCreator && (
        <Link to={`/c/${video.creator.id}`} className="text-sm text-neutral-300 hover:text-white hover:underline">
          {video.creator.displayName}
        </Link>
      )}
      <p className="text-sm text-neutral-400">
        {formatViews(video.viewCount)} ·{" "}
        <time dateTime={video.createdAt} suppressHydrationWarning>
          {timeAgo(video.createdAt)}
        </time>
      </p>
    </li>
  );
}
