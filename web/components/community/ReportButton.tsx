// "Report" for a video, a comment or a channel: a disclosure (<details>) holding a plain form, so
// it opens and posts without JavaScript (a fetcher with it; without, the page's action answers and
// the disclosure reopens with the outcome). Only for signed-in people.
import { useId } from "react";
import { useActionData, useFetcher } from "react-router";
import { REPORT_DETAIL_MAX, reportReasons, type ReportReason, type ReportTargetKind } from "#contract/limits.ts";
import { reportIntent } from "../../lib/report-intent";
import type { ActionResult } from "../../lib/types";

const REASONS: Record<ReportReason, string> = {
  spam: "Spam or misleading",
  abuse: "Harassment or hate",
  sexual: "Sexual content",
  violence: "Violence or danger",
  copyright: "Copyright infringement",
  other: "Something else",
};

type Props = { kind: ReportTargetKind; id: string; /** What is reported, for the accessible name: "this video", "comment by Ann". */ label: string };

export function ReportButton({ kind, id, label }: Props) {
  const fetcher = useFetcher<ActionResult>();
  const page = useActionData<ActionResult | undefined>();
  const uid = useId();
  const intent = reportIntent(kind, id);
  const result = fetcher.data?.intent === intent ? fetcher.data : page && typeof page === "object" && page.intent === intent ? page : undefined;
  const error = result && !result.ok ? (result.fields.detail ?? result.error) : null;
  return (
    <details className="text-sm" data-testid="report" open={result ? true : undefined}>
      <summary className="w-fit cursor-pointer rounded text-neutral-300 underline hover:text-white">
        Report<span className="sr-only"> {label}</span>
      </summary>
      {result?.ok ? (
        <p role="status" className="mt-2 text-neutral-200">
          Thank you. An admin will look at your report.
        </p>
      ) : (
        <fetcher.Form method="post" className="mt-2 max-w-sm space-y-2 rounded-lg border border-neutral-700 bg-neutral-900 p-3">
          <input type="hidden" name="intent" value="report" />
          <input type="hidden" name="targetKind" value={kind} />
          <input type="hidden" name="targetId" value={id} />
          <fieldset>
            <legend className="font-medium">Why are you reporting {label}?</legend>
            {reportReasons.map((reason) => (
              <label key={reason} className="mt-1 flex items-center gap-2">
                <input type="radio" name="reason" value={reason} required defaultChecked={reason === "spam"} />
                {REASONS[reason]}
              </label>
            ))}
          </fieldset>
          <label htmlFor={`${uid}-detail`} className="block font-medium">
            Details (optional)
          </label>
          <textarea
            id={`${uid}-detail`}
            name="detail"
            rows={2}
            maxLength={REPORT_DETAIL_MAX}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${uid}-error` : undefined}
            className="w-full rounded border border-neutral-600 bg-neutral-950 p-2"
          />
          {error && (
            <p id={`${uid}-error`} role="alert" className="text-red-300">
              {error}
            </p>
          )}
          <button type="submit" disabled={fetcher.state !== "idle"} className="rounded-full bg-white px-3 py-1.5 font-semibold text-black hover:bg-neutral-200">
            Send report
          </button>
        </fetcher.Form>
      )}
    </details>
  );
}
