import type { Route } from "./+types/feed";
import { BackLink } from "../components/BackLink";
import { VideoList } from "../components/VideoList";
import { loadJson, requireMe } from "../lib/api.server";
import type { Page, Video } from "../lib/types";

export const meta = () => [{ title: "Following · Edge Video" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  await requireMe(context, request);
  const cursor = new URL(request.url).searchParams.get("cursor");
  const feed = await loadJson<Page<Video>>(context, `/api/feed/following?limit=24${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  return { feed, paged: !!cursor };
}

export default function Feed({ loaderData }: Route.ComponentProps) {
  const { feed, paged } = loaderData;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-4 text-2xl font-bold">Following</h1>
      {paged && (
        <BackLink to="/feed">Back to the newest</BackLink>
      )}
      <VideoList
        page={feed}
        label="Videos from creators you follow"
        eager={4}
        moreHref={(c) => `/feed?cursor=${encodeURIComponent(c)}`}
        pick={(d) => (d as { feed?: Page<Video> }).feed}
        empty="Nothing here yet. Follow creators and their new videos show up here."
      />
    </main>
  );
}
