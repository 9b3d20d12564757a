// The upload under way: percentage, progress bar, speed, time left, parts stored, retries, and
// the Cancel button.
import type { RefObject } from "react";
import { formatBytes, formatDuration } from "../../lib/format";
import type { UploadProgress } from "../../lib/uploader";

type Props = { progress: UploadProgress | null; onCancel: () => void; headingRef: RefObject<HTMLHeadingElement | null> };

export function UploadingPanel({ progress, onCancel, headingRef }: Props) {
  const pct = progress && progress.total ? Math.floor((progress.sent / progress.total) * 100) : 0;
  return (
    <section aria-labelledby="uploading-heading" className="mt-6 space-y-3 rounded-xl border border-neutral-800 p-4">
      <h2 id="uploading-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        Uploading… {pct}%
      </h2>
      <div
        role="progressbar"
        aria-labelledby="uploading-heading"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="upload-progress"
        className="h-3 w-full overflow-hidden rounded bg-neutral-800"
      >
        <div className="h-full bg-red-500 transition-[width] duration-200" style={{ width: `${pct}%` }} />
      </div>
      {progress && (
        <p className="text-sm text-neutral-300">
          {formatBytes(progress.sent)} of {formatBytes(progress.total)}
          {progress.bytesPerSecond > 0 && ` · ${formatBytes(progress.bytesPerSecond)}/s`}
          {progress.secondsLeft != null && progress.sent < progress.total && ` · about ${formatDuration(Math.ceil(progress.secondsLeft))} left`}
          {` · ${progress.partsDone} of ${progress.partCount} ${progress.partCount === 1 ? "part" : "parts"} stored`}
        </p>
      )}
      {progress?.retrying && (
        <p role="status" className="text-sm text-amber-200">
          {progress.retrying}
        </p>
      )}
      <p className="text-sm text-neutral-400">You can leave this page: come back and choose the same file to resume.</p>
      <button type="button" onClick={onCancel} className="rounded border border-neutral-600 px-4 py-2 hover:bg-neutral-800">
        Cancel upload
      </button>
    </section>
  );
}
