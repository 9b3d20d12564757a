// The studio's analytics: totals, the views chart, and views per video.
import { Link } from "react-router";
import { formatNumber } from "../../lib/format";
import type { Stats } from "../../lib/types";
import { NumbersTable } from "../NumbersTable";
import { Section } from "../Section";
import { ViewsChart } from "../ViewsChart";

export function Analytics({ stats }: { stats: Stats }) {
  const cards = [
    ["Views, last 28 days", stats.totals.views],
    ["Views, all time", stats.totals.allTimeViews],
    ["Videos", stats.totals.videos],
  ] as const;
  return (
    <Section id="analytics-heading" title="Analytics" className="mt-10" headingClassName="mb-3 text-xl font-semibold">
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
    </Section>
  );
}

function ViewsPerVideo({ videos }: { videos: Stats["videos"] }) {
  return (
    <div className="mt-6 overflow-x-auto">
      <NumbersTable
        caption="Views per video"
        captionClassName="mb-2 text-left text-base font-semibold"
        className="w-full text-left text-sm"
        columns={["Video", "Last 28 days", "All time"]}
        rows={videos.map((v) => ({
          key: v.id,
          label: (
            <Link to={`/watch/${v.id}`} className="hover:underline">
              {v.title}
            </Link>
          ),
          values: [v.views, v.totalViews],
        }))}
      />
    </div>
  );
}
