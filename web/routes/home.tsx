import type { Route } from "./+types/home";
import { BackLink } from "../components/BackLink";
import { Section } from "../components/Section";
import { VideoList } from "../components/VideoList";
import { loadJson } from "../lib/api.server";
import type { Page, Video } from "../lib/types";

const LIMIT = 12;

export function meta() {
  return [
    { title: "Edge Video" },
    { name: "description", content: "Watch and share videos, fast, everywhere." },
    { property: "og:title", content: "Edge Video" },
    { property: "og:type", content: "website" },
  ];
}

export async function loader({ context, request }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const sort = params.get("sort");
  const cursor = params.get("cursor");
  const page = (s: string, c?: string | null) =>
    loadJson<Page<Video>>(context, `/api/videos?sort=${s}&limit=${LIMIT}${c ? `&cursor=${encodeURIComponent(c)}` : ""}`);
  // "More" without JavaScript: one list, from the cursor on.
  if ((sort === "latest" || sort === "trending") && cursor) {
    return { sort, latest: sort === "latest" ? await page(sort, cursor) : null, trending: sort === "trending" ? await page(sort, cursor) : null };
  }
  const [latest, trending] = await Promise.all([page("latest"), page("trending")]);
  return { sort: null, latest, trending };
}

const more = (sort: string) => (cursor: string) => `/?sort=${sort}&cursor=${encodeURIComponent(cursor)}`;
const pick = (key: "latest" | "trending") => (d: unknown) => (d as Awaited<ReturnType<typeof loader>>)[key] ?? undefined;

export default function Home({ loaderData }: Route.ComponentProps) {
  const { latest, trending, sort } = loaderData;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="sr-only">Edge Video</h1>
      {sort && <BackLink to="/">Back to the start</BackLink>}
      {trending && trending.items.length > 0 && (
        <Section id="trending-heading" title="Trending" className="mb-10">
          <VideoList page={trending} label="Trending" moreHref={more("trending")} pick={pick("trending")} eager={4} index />
        </Section>
      )}
      {latest && (
        <Section id="latest-heading" title="Latest">
          <VideoList page={latest} label="Latest" moreHref={more("latest")} pick={pick("latest")} eager={sort ? 4 : 0} index empty="No videos yet. Be the first to upload one." />
        </Section>
      )}
    </main>
  );
}
