import { Link, isRouteErrorResponse, useRouteLoaderData } from "react-router";
import type { Route } from "./+types/watch";
import { CreatorAvatar, FollowOrManage, followerCount } from "../components/Creator";
import { VideoCard } from "../components/VideoList";
import { Player } from "../components/player/Player";
import { prefetchHls } from "../components/player/hls-loader";
import { api, loadJson } from "../lib/api.server";
import { followAction } from "../lib/follow.server";
import { communityAction } from "../lib/community.server";
import { Comments } from "../components/community/Comments";
import { LikeButton } from "../components/community/LikeButton";
import { ReportButton } from "../components/community/ReportButton";
import { reportAction } from "../lib/moderation.server";
import { formatDate, formatViews } from "../lib/format";
import type { Comment, Creator, Page, Video } from "../lib/types";
import { useVideoStatus } from "../lib/use-video-status";
import type { loader as rootLoader } from "../root";
import { commentIdParam } from "#contract/api.ts";
import { parseStartTime } from "#contract/playback-extras.ts";
import { ChapterList } from "../components/watch/ChapterList";
import { ShareDialog } from "../components/watch/ShareDialog";
import { useTheatreMode } from "../components/watch/use-theatre-mode";

// After a client-side navigation, start fetching the player library while the page renders.
prefetchHls();

export async function loader({ params, context, request }: Route.LoaderArgs) {
  const video = await loadJson<Video>(context, `/api/videos/${encodeURIComponent(params.videoId)}`);
  const call = api(context);
  const url = new URL(request.url);
  // The open thread (?thread=): its replies come with the page, so it reads without JavaScript.
  const threadId = commentIdParam.safeParse(url.searchParams.get("thread")).data ?? null;
  const [creatorRes, moreRes, commentsRes, repliesRes] = await Promise.all([
    call(`/api/creators/${video.creator.id}`),
    call(`/api/creators/${video.creator.id}/videos?limit=9`),
    call(`/api/videos/${video.id}/comments?limit=20`),
    threadId ? call(`/api/comments/${threadId}/replies?limit=100`) : null,
  ]);
  const comments = commentsRes.ok ? ((await commentsRes.json()) as Page<Comment>).items : [];
  const thread = threadId && repliesRes?.ok ? { id: threadId, replies: ((await repliesRes.json()) as Page<Comment>).items } : null;
  const creator = creatorRes.ok ? ((await creatorRes.json()) as Creator) : null;
  const more = moreRes.ok ? ((await moreRes.json()) as Page<Video>).items.filter((v) => v.id !== video.id && v.visibility === "public" && v.playable) : [];
  const t = parseStartTime(url.searchParams.get("t"));
  return {
    video,
    creator,
    more: more.slice(0, 8),
    comments,
    thread,
    pageUrl: url.origin + `/watch/${video.id}`,
    autoplay: url.searchParams.get("autoplay") !== "0",
    startAt: t ?? undefined,
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "follow" || intent === "unfollow") return followAction(context, form);
  if (intent === "report") return reportAction(context, form);
  return communityAction(context, form, params.videoId);
}

export function meta({ loaderData }: Route.MetaArgs) {
  if (!loaderData) return [{ title: "Video not found · Edge Video" }];
  const { video, pageUrl } = loaderData;
  const description = video.description.trim().slice(0, 200) || `A video by ${video.creator.displayName} on Edge Video.`;
  const tags = [
    { title: `${video.title} · Edge Video` },
    { name: "description", content: description },
    { property: "og:site_name", content: "Edge Video" },
    { property: "og:type", content: "video.other" },
    { property: "og:title", content: video.title },
    { property: "og:description", content: description },
    { property: "og:url", content: pageUrl },
    { name: "twitter:card", content: video.playback?.poster ? "summary_large_image" : "summary" },
    { name: "twitter:title", content: video.title },
    { name: "twitter:description", content: description },
    { tagName: "link", rel: "canonical", href: pageUrl },
    // oEmbed discovery (GET /oembed; private videos have none: they are not embeddable).
    ...(video.visibility === "private"
      ? []
      : [{ tagName: "link", rel: "alternate", type: "application/json+oembed", href: `${new URL(pageUrl).origin}/oembed?url=${encodeURIComponent(pageUrl)}&format=json`, title: video.title }]),
  ];
  if (video.playback?.poster) {
    tags.push({ property: "og:image", content: video.playback.poster }, { name: "twitter:image", content: video.playback.poster });
  }
  if (video.playback) {
    tags.push(
      { property: "og:video", content: video.playback.hls },
      { property: "og:video:type", content: "application/x-mpegURL" },
      ...(video.width && video.height
        ? [
            { property: "og:video:width", content: String(video.width) },
            { property: "og:video:height", content: String(video.height) },
          ]
        : []),
    );
  }
  if (video.durationSeconds) tags.push({ property: "video:duration", content: String(Math.round(video.durationSeconds)) });
  if (video.visibility !== "public") tags.push({ name: "robots", content: "noindex" });
  return tags;
}

export default function Watch({ loaderData }: Route.ComponentProps) {
  const { creator, more, autoplay, startAt, comments } = loaderData;
  const me = useRouteLoaderData<typeof rootLoader>("root")?.me ?? null;
  // A video still being processed: its status is polled until it is ready (or failed), keeping
  // the media URLs the player started with.
  const video = useVideoStatus(loaderData.video, { intervalMs: 3000, keepPlayback: true });

  const own = !!me?.creator && me.creator.id === video.creator.id;
  const theatre = useTheatreMode();
  const processing = video.status !== "ready";

  return (
    <main
      id="main"
      className={`mx-auto px-0 py-0 sm:px-4 sm:py-6 ${theatre.on ? "max-w-[120rem]" : more.length ? "max-w-7xl lg:grid lg:grid-cols-[minmax(0,1fr)_22rem] lg:gap-6" : "max-w-5xl"}`}
    >
      {/* Poster and playlist start downloading with the HTML (React hoists these into <head>). */}
      {video.playback?.poster && <link rel="preload" as="image" href={video.playback.poster} fetchPriority="high" />}
      {video.playback && <link rel="preload" as="fetch" href={video.playback.hls} crossOrigin="anonymous" />}
      <div className="min-w-0">
        {video.playback ? (
          <Player
            key={video.id}
            video={{
              id: video.id,
              title: video.title,
              durationSeconds: video.durationSeconds,
              processing,
              playback: video.playback,
              viewToken: loaderData.video.viewToken,
            }}
            autoPlay={autoplay}
            startAt={startAt}
            chapters={video.chapters}
            resume={{ signedIn: !!me, serverAt: loaderData.video.resumeAt }}
            theatre={theatre}
          />
        ) : (
          <div className="grid aspect-video w-full place-items-center bg-neutral-900 p-6 text-center sm:rounded-xl">
            <p>
              {video.status === "failed"
                ? `This video could not be processed: ${video.failureReason ?? "unknown reason"}.`
                : "This video is being prepared. It will start playing here as soon as the first seconds are ready."}
            </p>
          </div>
        )}
        <div className="px-4 sm:px-0">
          {processing && video.status !== "failed" && (
            <p role="status" className="mt-3 rounded-lg border border-amber-700 bg-amber-950 px-3 py-2 text-sm text-amber-100">
              Still processing{video.status === "processing" ? ` (${video.progress}%)` : ""}.{" "}
              {video.playable ? "You can watch what is ready; the rest appears as it is encoded." : "Playback starts in a moment."}
            </p>
          )}
          <h1 className="mt-4 text-xl font-semibold sm:text-2xl">{video.title}</h1>
          <div className="mt-3 flex flex-wrap items-center gap-4">
            <Link to={`/c/${video.creator.id}`} className="flex items-center gap-3">
              <CreatorAvatar name={video.creator.displayName} />
              <span>
                <span className="block font-medium hover:underline">{video.creator.displayName}</span>
                {creator && (
                  <span className="block text-sm text-neutral-400">{followerCount(creator.followerCount)}</span>
                )}
              </span>
            </Link>
            <FollowOrManage creator={video.creator} own={own} manageLabel="Edit in Studio" following={!!creator?.following} signedIn={!!me} />
            <LikeButton target="video" id={video.id} liked={!!loaderData.video.liked} count={loaderData.video.likeCount} label="this video" signedIn={!!me} />
            {video.visibility !== "private" && <ShareDialog videoId={video.id} title={video.title} pageUrl={loaderData.pageUrl} width={video.width} height={video.height} />}
            {/* Served as an attachment named after the title (media/download-name.ts). */}
            {video.playback?.download && (
              <a href={video.playback.download} download className="rounded-full bg-neutral-800 px-4 py-2 text-sm font-medium hover:bg-neutral-700">
                Download<span className="sr-only"> “{video.title}” (MP4)</span>
              </a>
            )}
            {me && !own && <ReportButton kind="video" id={video.id} label="this video" />}
          </div>
          <div className="mt-4 rounded-xl bg-neutral-900 p-4 text-sm">
            <p className="font-medium">
              <span data-testid="view-count">{formatViews(video.viewCount)}</span> · <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time>
              {video.visibility !== "public" && <span className="ml-2 rounded bg-neutral-700 px-1.5 text-xs uppercase">{video.visibility}</span>}
            </p>
            {video.description && <p className="mt-2 whitespace-pre-wrap break-words text-neutral-200">{video.description}</p>}
          </div>
          <ChapterList chapters={video.chapters} startAt={startAt} />
          <details className="mt-4 text-sm text-neutral-300">
            <summary className="w-fit rounded">Keyboard shortcuts</summary>
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
              <dt><kbd>Space</kbd> / <kbd>K</kbd></dt>
              <dd>Play or pause</dd>
              <dt><kbd>J</kbd> / <kbd>L</kbd></dt>
              <dd>Back / forward 10 seconds</dd>
              <dt><kbd>←</kbd> / <kbd>→</kbd></dt>
              <dd>Back / forward 5 seconds</dd>
              <dt><kbd>↑</kbd> / <kbd>↓</kbd></dt>
              <dd>Volume up / down (player focused)</dd>
              <dt><kbd>F</kbd></dt>
              <dd>Full screen</dd>
              <dt><kbd>M</kbd></dt>
              <dd>Mute</dd>
              <dt><kbd>C</kbd></dt>
              <dd>Captions on / off</dd>
              <dt><kbd>I</kbd></dt>
              <dd>Picture in picture</dd>
              <dt><kbd>T</kbd></dt>
              <dd>Theatre mode (wide screens)</dd>
            </dl>
          </details>
          <Comments
            videoId={video.id}
            comments={comments}
            thread={loaderData.thread}
            enabled={loaderData.video.commentsEnabled}
            me={me ? { userId: me.user.id, isAdmin: me.user.role === "admin" } : null}
            ownsVideo={own}
          />
        </div>
      </div>
      {more.length > 0 && (
        <aside aria-labelledby="more-heading" className="mt-8 px-4 sm:px-0 lg:mt-0">
          <h2 id="more-heading" className="mb-3 text-lg font-semibold">
            More from {video.creator.displayName}
          </h2>
          <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-1">
            {more.map((v) => (
              <VideoCard key={v.id} video={v} showCreator={false} />
            ))}
          </ul>
        </aside>
      )}
    </main>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const detail = isRouteErrorResponse(error) && typeof error.data?.message === "string" ? error.data.message : null;
  return (
    <main id="main" className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">{notFound ? "Video not found" : "This video cannot be shown"}</h1>
      <p className="mt-2 text-neutral-300">
        {notFound ? "It may have been removed, or it is private. Check the link and try again." : (detail ?? "Something went wrong. Please try again.")}
      </p>
      <Link className="mt-4 inline-block underline" to="/">
        Browse videos
      </Link>
    </main>
  );
}
