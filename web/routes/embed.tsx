// /embed/:videoId: the minimal player other sites frame (the Worker lets only this page be framed:
// worker/http/security-headers.ts). Honours ?t= (seconds or 1m30s), autoplay=1 (muted, as
// browsers require) and muted=1. Private videos are not embeddable: 404, whoever asks.
import { data, isRouteErrorResponse } from "react-router";
import type { Route } from "./+types/embed";
import { parseStartTime } from "#contract/playback-extras.ts";
import { Player } from "../components/player/Player";
import { loadJson } from "../lib/api.server";
import type { Video } from "../lib/types";

export async function loader({ params, context, request }: Route.LoaderArgs) {
  const video = await loadJson<Video>(context, `/api/videos/${encodeURIComponent(params.videoId)}`);
  if (video.visibility === "private") throw data({ message: "This video cannot be embedded." }, { status: 404 });
  const url = new URL(request.url);
  const autoplay = url.searchParams.get("autoplay") === "1";
  return {
    video,
    watchUrl: `${url.origin}/watch/${video.id}`,
    startAt: parseStartTime(url.searchParams.get("t")) ?? undefined,
    autoplay,
    muted: autoplay || url.searchParams.get("muted") === "1",
  };
}

export function meta({ loaderData }: Route.MetaArgs) {
  if (!loaderData) return [{ title: "Video not available · Edge Video" }, { name: "robots", content: "noindex" }];
  return [
    { title: `${loaderData.video.title} · Edge Video` },
    { name: "robots", content: "noindex" },
    { tagName: "link", rel: "canonical", href: loaderData.watchUrl },
  ];
}

export default function Embed({ loaderData }: Route.ComponentProps) {
  const { video, startAt, autoplay, muted, watchUrl } = loaderData;
  return (
    <main id="main" className="relative h-screen w-screen overflow-hidden bg-black">
      {video.playback ? (
        <Player
          video={{ id: video.id, title: video.title, durationSeconds: video.durationSeconds, processing: video.status !== "ready", playback: video.playback, viewToken: video.viewToken }}
          autoPlay={autoplay}
          muted={muted}
          startAt={startAt}
          chapters={video.chapters}
          fill
        />
      ) : (
        <p className="grid h-full place-items-center p-4 text-center">This video is being prepared. Try again in a moment.</p>
      )}
      <h1 className="pointer-events-none absolute inset-x-0 top-0 truncate bg-gradient-to-b from-black/80 to-transparent px-3 pb-6 pt-2 text-sm font-medium">
        <a href={watchUrl} target="_blank" rel="noopener" className="pointer-events-auto hover:underline">
          {video.title}
          <span className="sr-only"> (watch on Edge Video, opens in a new tab)</span>
        </a>
      </h1>
    </main>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main id="main" className="grid h-screen place-items-center bg-black p-4 text-center">
      <div>
        <h1 className="text-lg font-semibold">{notFound ? "This video is not available" : "This video cannot be shown"}</h1>
        <p className="mt-1 text-sm text-neutral-300">{notFound ? "It may be private or removed." : "Please try again later."}</p>
      </div>
    </main>
  );
}
