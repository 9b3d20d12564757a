import type { Video } from "../lib/types";

const LABELS: Record<Video["status"], string> = {
  uploading: "Uploading",
  queued: "Waiting to process",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
  removed: "Removed by moderation",
};
const COLORS: Record<Video["status"], string> = {
  uploading: "bg-neutral-700 text-white",
  queued: "bg-neutral-700 text-white",
  processing: "bg-amber-400 text-black",
  ready: "bg-emerald-400 text-black",
  failed: "bg-red-400 text-black",
  removed: "bg-red-400 text-black",
};

/** Status badge plus, while processing, a progress bar with its percentage. */
export function VideoStatus({ video }: { video: Pick<Video, "status" | "progress" | "playable" | "failureReason"> }) {
  return (
    <div className="space-y-1" data-status={video.status}>
      <span className={`inline-block rounded px-2 py-0.5 text-xs font-semibold ${COLORS[video.status]}`}>
        {LABELS[video.status]}
        {video.status === "processing" ? ` ${video.progress}%` : ""}
      </span>
      {video.status === "processing" && (
        <div
          role="progressbar"
          aria-label="Processing"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={video.progress}
          className="h-1.5 w-full max-w-48 overflow-hidden rounded bg-neutral-700"
        >
          <div className="h-full bg-amber-400 transition-[width]" style={{ width: `${video.progress}%` }} />
        </div>
      )}
      {video.status === "processing" && video.playable && <p className="text-xs text-neutral-300">Already watchable while the rest is encoded.</p>}
      {video.status === "failed" && video.failureReason && <p className="text-xs text-red-300">{video.failureReason}</p>}
      {video.status === "removed" && <p className="text-xs text-red-300">An admin took this video down; nobody else can see it.</p>}
    </div>
  );
}
