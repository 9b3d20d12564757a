// After the upload: processing progress (polled) until the video can be watched.
import type { RefObject } from "react";
import { Link } from "react-router";
import type { Video } from "../../lib/types";
import { useVideoStatus } from "../../lib/use-video-status";
import { primaryButton } from "../Field";
import { VideoStatus } from "../VideoStatus";

type Props = { video: Video; headingRef: RefObject<HTMLHeadingElement | null>; onUploadAnother: () => void };

export function ProcessingPanel({ video: uploaded, headingRef, onUploadAnother }: Props) {
  const video = useVideoStatus(uploaded);
  return (
    <section aria-labelledby="processing-heading" className="mt-6 space-y-3 rounded-xl border border-neutral-800 p-4">
      <h2 id="processing-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        {video.status === "ready" ? "Your video is ready" : video.status === "failed" ? "Processing failed" : "Uploaded. Processing…"}
      </h2>
      <div aria-live="polite">
        <VideoStatus video={video} />
      </div>
      <p className="flex flex-wrap gap-3">
        {video.playable && (
          <Link to={`/watch/${video.id}`} className={primaryButton}>
            Watch it now
          </Link>
        )}
        <Link to="/studio" className="rounded border border-neutral-600 px-4 py-2 hover:bg-neutral-800">
          Go to Studio
        </Link>
        <button type="button" onClick={onUploadAnother} className="rounded px-4 py-2 underline">
          Upload another
        </button>
      </p>
    </section>
  );
}
