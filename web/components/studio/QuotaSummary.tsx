// Studio: how much of the storage and daily upload quotas the creator has used (API.md "Quotas").
import type { Quota } from "#contract/quotas.ts";
import { formatBytes } from "../../lib/format";

export function QuotaSummary({ quota }: { quota: Quota }) {
  const percent = quota.bytesLimit > 0 ? Math.min(100, Math.round((quota.bytesUsed / quota.bytesLimit) * 100)) : 100;
  return (
    <section aria-labelledby="quota-heading" className="mb-6 rounded-xl border border-neutral-800 p-4" data-testid="quota">
      <h2 id="quota-heading" className="text-lg font-semibold">
        Quota
      </h2>
      <dl className="mt-2 grid gap-3 sm:grid-cols-2">
        <div>
          <dt className="text-sm text-neutral-400">Storage</dt>
          <dd>
            {formatBytes(quota.bytesUsed)} of {formatBytes(quota.bytesLimit)} used
            <progress className="mt-1 block h-2 w-full" max={100} value={percent} aria-label={`Storage used: ${percent} %`} />
          </dd>
        </div>
        <div>
          <dt className="text-sm text-neutral-400">Uploads in the last 24 hours</dt>
          <dd>
            {quota.uploadsToday} of {quota.uploadsPerDay}
          </dd>
        </div>
      </dl>
    </section>
  );
}
