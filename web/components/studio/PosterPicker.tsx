// Studio: choose the poster among the generated candidates, or upload an image (PUT
// /api/videos/:id/poster through the studio action). Plain forms in a disclosure: radio buttons
// with the candidate images, and a file field (multipart, so it works without JavaScript too).
import { useFetcher } from "react-router";
import { POSTER_IMAGE_MAX_BYTES, POSTER_IMAGE_TYPES } from "#contract/playback-extras.ts";
import type { ActionResult, Video } from "../../lib/types";
import { FormError, primaryButton } from "../Field";

const box = "mt-2 w-72 space-y-3 rounded-lg border border-neutral-700 bg-neutral-900 p-3";

export function PosterPicker({ video }: { video: Video }) {
  return (
    <details>
      <summary className="rounded border border-neutral-600 px-3 py-1.5 hover:bg-neutral-800">
        Poster<span className="sr-only"> of “{video.title}”</span>
      </summary>
      <div className={box}>
        <Candidates video={video} />
        <UploadImage video={video} />
      </div>
    </details>
  );
}

function Outcome({ fetcher, done }: { fetcher: ReturnType<typeof useFetcher<ActionResult>>; done: string }) {
  const failed = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  if (failed) return <FormError message={failed.error} />;
  if (!fetcher.data?.ok || fetcher.state !== "idle") return null;
  return (
    <p role="status" className="text-sm text-emerald-300">
      {done}
    </p>
  );
}

function Candidates({ video }: { video: Video }) {
  const fetcher = useFetcher<ActionResult>();
  const candidates = video.playback?.thumbnails ?? [];
  if (candidates.length === 0) return <p className="text-sm text-neutral-400">The generated candidates appear once the first frames are processed.</p>;
  return (
    <fetcher.Form method="post" className="space-y-3">
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
      <Outcome fetcher={fetcher} done="Poster changed." />
      <button type="submit" className={primaryButton} disabled={fetcher.state !== "idle"}>
        {fetcher.state !== "idle" ? "Saving…" : "Use this poster"}
      </button>
    </fetcher.Form>
  );
}

function UploadImage({ video }: { video: Video }) {
  const fetcher = useFetcher<ActionResult>();
  const inputId = `poster-image-${video.id}`;
  return (
    <fetcher.Form method="post" encType="multipart/form-data" className="space-y-2 border-t border-neutral-800 pt-3">
      <input type="hidden" name="intent" value="poster-image" />
      <input type="hidden" name="id" value={video.id} />
      <label htmlFor={inputId} className="block text-sm font-medium">
        Or upload an image
      </label>
      <input id={inputId} name="image" type="file" required accept={POSTER_IMAGE_TYPES.join(",")} className="w-full text-sm" />
      <p className="text-xs text-neutral-400">JPEG, PNG or WebP, at most {POSTER_IMAGE_MAX_BYTES / (1024 * 1024)} MB.</p>
      <Outcome fetcher={fetcher} done="Poster uploaded." />
      <button type="submit" className={primaryButton} disabled={fetcher.state !== "idle"}>
        {fetcher.state !== "idle" ? "Uploading…" : "Upload image"}
      </button>
    </fetcher.Form>
  );
}
