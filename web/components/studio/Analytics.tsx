// The studio's analytics: totals, the views chart, and views per video.
import { Link } from "react-router";
import { formatNumber } from "../../lib/format";
import type { Stats } from "../../lib/types";
import { ViewsChart } from "../ViewsChart";

export function Analytics({ stats }: { stats: Stats }) {
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
      {stats.videos.length > 0 && <ViewsPerVideo videos={stats.videos} />}
    </section>
  );
}

function ViewsPerVideo({ videos }: { videos: Stats["videos"] }) {
  return (
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
          {videos.map((v) => (
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
  );
}
