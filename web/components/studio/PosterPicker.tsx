// Studio: choose the poster among the generated candidates (PUT /api/videos/:id/poster through
// the studio action). A plain form in a disclosure: radio buttons with the candidate images.
import { useFetcher } from "react-router";
import type { ActionResult, Video } from "../../lib/types";
import { FormError, primaryButton } from "../Field";

export function PosterPicker({ video }: { video: Video }) {
  const fetcher = useFetcher<ActionResult>();
  const candidates = video.playback?.thumbnails ?? [];
  if (candidates.length === 0) return null;
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  return (
    <details>
      <summary className="rounded border border-neutral-600 px-3 py-1.5 hover:bg-neutral-800">
        Poster<span className="sr-only"> of “{video.title}”</span>
      </summary>
      <fetcher.Form method="post" className="mt-2 w-72 space-y-3 rounded-lg border border-neutral-700 bg-neutral-900 p-3">
        <input type="hidden" name="intent" value="poster" />
        <input type="hidden" name="id" value={video.id} />
        <fieldset>
          <legend className="text-sm font-medium">Choose the poster</legend>
          <div className="mt-2 grid grid-cols-2 gap-2">
            {candidates.map((src, i) => (
              <label key={src} className="relative block cursor-pointer rounded border-2 border-transparent has-[:checked]:border-red-500 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-white">
                <input type="radio" name="frame" value={i + 1} required defaultChecked={i === 0} className="sr-only" />
                <img src={src} alt={`Frame ${i + 1}`} className="aspect-video w-full rounded-sm object-cover" loading="lazy" />
              </label>
            ))}
          </div>
        </fieldset>
        {failed && <FormError message={failed.error} />}
        {fetcher.data?.ok && fetcher.state === "idle" && (
          <p role="status" className="text-sm text-emerald-300">
            Poster changed.
          </p>
        )}
        <button type="submit" className={primaryButton} disabled={fetcher.state !== "idle"}>
          {fetcher.state !== "idle" ? "Saving…" : "Use this poster"}
        </button>
      </fetcher.Form>
    </details>
  );
}
