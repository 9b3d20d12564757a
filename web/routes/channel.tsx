import { Link, isRouteErrorResponse, useRouteLoaderData } from "react-router";
import type { Route } from "./+types/channel";
import { BackLink } from "../components/BackLink";
import { CreatorAvatar, FollowOrManage, followerCount } from "../components/Creator";
import { Section } from "../components/Section";
import { VideoList } from "../components/VideoList";
import { loadJson } from "../lib/api.server";
import { followAction } from "../lib/follow.server";
import { reportAction } from "../lib/moderation.server";
import { ReportButton } from "../components/community/ReportButton";
import { formatNumber } from "../lib/format";
import type { Creator, Page, Video } from "../lib/types";
import type { loader as rootLoader } from "../root";

export async function loader({ params, context, request }: Route.LoaderArgs) {
  const id = encodeURIComponent(params.creatorId);
  const cursor = new URL(request.url).searchParams.get("cursor");
  const [creator, videos] = await Promise.all([
    loadJson<Creator>(context, `/api/creators/${id}`),
    loadJson<Page<Video>>(context, `/api/creators/${id}/videos?limit=24${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
  ]);
  // The owner's own listing includes drafts; the public channel shows what everyone sees.
  const listed = { ...videos, items: videos.items.filter((v) => v.visibility === "public" && v.playable) };
  return { creator, videos: listed, paged: !!cursor };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  if (form.get("intent") === "report") return reportAction(context, form);
  return followAction(context, form);
}

export function meta({ loaderData }: Route.MetaArgs) {
  if (!loaderData) return [{ title: "Channel not found · Edge Video" }];
  const { creator } = loaderData;
  return [
    { title: `${creator.displayName} · Edge Video` },
    { name: "description", content: creator.bio || `Videos by ${creator.displayName}.` },
    { property: "og:title", content: creator.displayName },
    { property: "og:type", content: "profile" },
    { tagName: "link", rel: "alternate", type: "application/rss+xml", title: `${creator.displayName} (RSS)`, href: `/c/${creator.id}/rss` },
  ];
}

export default function Channel({ loaderData }: Route.ComponentProps) {
  const { creator, videos, paged } = loaderData;
  const me = useRouteLoaderData<typeof rootLoader>("root")?.me ?? null;
  const own = me?.creator?.id === creator.id;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <header className="mb-8 flex flex-wrap items-center gap-5">
        <CreatorAvatar name={creator.displayName} size="large" />
        <div className="min-w-0 flex-1">
          <h1 className="text-2xl font-bold">{creator.displayName}</h1>
          <p className="text-sm text-neutral-400">
            {followerCount(creator.followerCount)}
            {creator.videoCount != null && ` · ${formatNumber(creator.videoCount)} ${creator.videoCount === 1 ? "video" : "videos"}`}
          </p>
          {creator.bio && <p className="mt-2 max-w-2xl whitespace-pre-wrap text-neutral-200">{creator.bio}</p>}
          {/* A document, not a page of the app: a plain link the router leaves alone. */}
          <a href={`/c/${creator.id}/rss`} className="mt-2 inline-block text-sm underline" type="application/rss+xml">
            RSS feed<span className="sr-only"> of {creator.displayName}'s videos</span>
          </a>
          {me && !own && <ReportButton kind="creator" id={creator.id} label="this channel" />}
        </div>
        <FollowOrManage creator={creator} own={own} manageLabel="Manage videos" following={!!creator.following} signedIn={!!me} />
      </header>
      <Section id="videos-heading" title="Videos">
        {paged && <BackLink to={`/c/${creator.id}`}>Back to the newest</BackLink>}
        <VideoList
          page={videos}
          label="Videos"
          showCreator={false}
          eager={4}
          moreHref={(c) => `/c/${creator.id}?cursor=${encodeURIComponent(c)}`}
          pick={(d) => (d as { videos?: Page<Video> }).videos}
          empty="No videos yet."
        />
      </Section>
    </main>
  );
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main id="main" className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">{notFound ? "Channel not found" : "This channel cannot be shown"}</h1>
      <p className="mt-2 text-neutral-300">{notFound ? "Check the link and try again." : "Something went wrong. Please try again."}</p>
      <Link className="mt-4 inline-block underline" to="/">
        Browse videos
      </Link>
    </main>
  );
}
