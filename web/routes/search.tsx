import { Form, Link, data } from "react-router";
import type { Route } from "./+types/search";
import { CreatorAvatar, followerCount } from "../components/Creator";
import { Section } from "../components/Section";
import { VideoList } from "../components/VideoList";
import { api } from "../lib/api.server";
import { readProblem } from "../lib/problem";
import type { SearchResult as Results } from "../lib/types";

export async function loader({ context, request }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const q = (params.get("q") ?? "").trim();
  const cursor = params.get("cursor");
  if (!q) return { q, results: null, error: null };
  const res = await api(context)(`/api/search?q=${encodeURIComponent(q)}&limit=24${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  if (res.ok) return { q, results: (await res.json()) as Results, error: null };
  const problem = await readProblem(res);
  if (problem.status >= 500) throw data({ message: problem.message }, { status: problem.status });
  return { q, results: null, error: problem.message };
}

export function meta({ loaderData }: Route.MetaArgs) {
  return [{ title: loaderData?.q ? `${loaderData.q} · Search · Edge Video` : "Search · Edge Video" }, { name: "robots", content: "noindex" }];
}

export default function Search({ loaderData }: Route.ComponentProps) {
  const { q, results, error } = loaderData;
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-4 text-2xl font-bold">{q ? <>Results for “{q}”</> : "Search"}</h1>
      {!q && (
        <Form method="get" role="search" className="flex max-w-lg gap-2">
          <label htmlFor="search-page-q" className="sr-only">
            Search videos and creators
          </label>
          <input id="search-page-q" type="search" name="q" className="min-w-0 flex-1 rounded border border-neutral-600 bg-neutral-900 px-3 py-2" />
          <button type="submit" className="rounded bg-red-600 px-4 font-medium text-white hover:bg-red-700">
            Search
          </button>
        </Form>
      )}
      {error && (
        <p role="alert" className="rounded border border-red-800 bg-red-950 p-3 text-red-100">
          {error}
        </p>
      )}
      {results && results.creators.length > 0 && (
        <Section id="creators-heading" title="Creators" className="mb-8" headingClassName="mb-3 text-lg font-semibold">
          <ul className="flex flex-wrap gap-3">
            {results.creators.map((c) => (
              <li key={c.id}>
                <Link to={`/c/${c.id}`} className="flex items-center gap-3 rounded-xl border border-neutral-800 px-4 py-3 hover:bg-neutral-900">
                  <CreatorAvatar name={c.displayName} />
                  <span>
                    <span className="block font-medium">{c.displayName}</span>
                    <span className="block text-sm text-neutral-400">{followerCount(c.followerCount)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {results && (
        <Section id="videos-heading" title="Videos" headingClassName="mb-3 text-lg font-semibold">
          <VideoList
            page={results}
            label="Matching videos"
            eager={4}
            moreHref={(c) => `/search?q=${encodeURIComponent(q)}&cursor=${encodeURIComponent(c)}`}
            pick={(d) => (d as { results?: Results }).results ?? undefined}
            empty="No videos match. Try other words."
          />
        </Section>
      )}
    </main>
  );
}
