// Views per day as an SVG bar chart (scales from d3-scale), server-rendered, with a text summary
// for screen readers and the same numbers as a table.
import { scaleBand, scaleLinear } from "d3-scale";
import { formatNumber } from "../lib/format";
import { NumbersTable } from "./NumbersTable";

const W = 720;
const H = 220;
const M = { top: 12, right: 12, bottom: 28, left: 44 };

const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });

export function ViewsChart({ days }: { days: { date: string; views: number }[] }) {
  const max = Math.max(1, ...days.map((d) => d.views));
  const x = scaleBand<string>()
    .domain(days.map((d) => d.date))
    .range([M.left, W - M.right])
    .padding(0.2);
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([H - M.bottom, M.top]);
  const ticks = y.ticks(4).filter((t) => Number.isInteger(t));
  const total = days.reduce((s, d) => s + d.views, 0);
  const best = days.reduce((a, b) => (b.views > a.views ? b : a), days[0] ?? { date: "", views: 0 });
  const labelEvery = Math.max(1, Math.ceil(days.length / 7));
  const first = days[0]?.date;
  const last = days.at(-1)?.date;
  const summary =
    first && last
      ? `${formatNumber(total)} views from ${dayLabel(first)} to ${dayLabel(last)}.` +
        (best.views > 0 ? ` Busiest day: ${dayLabel(best.date)} with ${formatNumber(best.views)}.` : "")
      : "No data.";
  return (
    <figure className="m-0">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-labelledby="views-chart-title views-chart-desc">
        <title id="views-chart-title">Views per day</title>
        <desc id="views-chart-desc">{summary}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="#404040" strokeDasharray="3 3" />
            <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" fontSize="11" fill="#d4d4d4">
              {formatNumber(t)}
            </text>
          </g>
        ))}
        {days.map((d, i) => (
          <g key={d.date}>
            <rect x={x(d.date)} y={y(d.views)} width={x.bandwidth()} height={Math.max(0, H - M.bottom - y(d.views))} rx="2" fill="#ef4444">
              <title>{`${dayLabel(d.date)}: ${formatNumber(d.views)} ${d.views === 1 ? "view" : "views"}`}</title>
            </rect>
            {i % labelEvery === 0 && (
              <text x={(x(d.date) ?? 0) + x.bandwidth() / 2} y={H - 8} textAnchor="middle" fontSize="11" fill="#d4d4d4">
                {dayLabel(d.date)}
              </text>
            )}
          </g>
        ))}
        <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} stroke="#737373" />
      </svg>
      <figcaption className="mt-1 text-sm text-neutral-300">{summary}</figcaption>
      <details className="mt-2 text-sm">
        <summary className="w-fit rounded text-neutral-300">Show the numbers as a table</summary>
        <NumbersTable
          caption="Views per day"
          captionClassName="sr-only"
          className="mt-2 w-full max-w-sm text-left"
          columns={["Day", "Views"]}
          rows={days.map((d) => ({ key: d.date, label: <time dateTime={d.date}>{dayLabel(d.date)}</time>, values: [d.views] }))}
          dense
        />
      </details>
    </figure>
  );
}
