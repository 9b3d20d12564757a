// Uploads that did not finish (remembered in this browser, or named by ?resume=): choose the same
// file again to send the rest, or discard the upload.
import { formatBytes } from "../../lib/format";
import type { PendingUpload } from "../../lib/uploader";

type Props = {
  uploads: PendingUpload[];
  onResume: (upload: PendingUpload, file: File | undefined) => void;
  onDiscard: (videoId: string) => void;
};

export function ResumeList({ uploads, onResume, onDiscard }: Props) {
  return (
    <section aria-labelledby="resume-heading" className="mt-6 rounded-xl border border-amber-700 p-4">
      <h2 id="resume-heading" className="text-lg font-semibold">
        Unfinished uploads
      </h2>
      <ul className="mt-2 space-y-4">
        {uploads.map((p) => (
          <li key={p.videoId} className="space-y-2">
            <p>
              {p.name ? (
                <>
                  “{p.title || p.name}” — {p.name}, {formatBytes(p.size)}.
                </>
              ) : (
                "An upload that did not finish."
              )}{" "}
              Choose the same file again to send the rest.
            </p>
            <div className="flex flex-wrap items-center gap-3">
              <label className="rounded border border-neutral-600 px-3 py-1.5 hover:bg-neutral-800 focus-within:outline-2 focus-within:outline-sky-400">
                Choose the file to resume<span className="sr-only"> {p.name}</span>
                <input type="file" accept="video/*" className="sr-only" onChange={(e) => onResume(p, e.target.files?.[0])} />
              </label>
              <button type="button" onClick={() => onDiscard(p.videoId)} className="rounded px-3 py-1.5 text-red-200 hover:bg-red-950">
                Discard
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
