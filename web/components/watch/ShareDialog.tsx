// Share: the link, the link at the current time (?t=), and the iframe code of the embed player,
// each with a copy button. A native <dialog> (focus kept inside, Escape closes, focus returns to
// the button). Copy uses the Clipboard API and falls back to selecting the text.
import { useId, useRef, useState } from "react";
import { embedPath, formatStartTime, iframeHtml } from "#contract/playback-extras.ts";
import { formatDuration } from "../../lib/format";
import { VIDEO_ELEMENT_ID } from "../player/hls-loader";

type Props = { videoId: string; title: string; pageUrl: string; width: number | null; height: number | null };

const EMBED_WIDTH = 640;

function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      field.current?.select();
      document.execCommand?.("copy");
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };
  const fieldClass = "min-w-0 flex-1 rounded border border-neutral-600 bg-neutral-950 px-2 py-1.5 font-mono text-xs text-neutral-100";
  return (
    <div className="mt-3">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="mt-1 flex items-start gap-2">
        {multiline ? (
          <textarea ref={field} id={id} readOnly rows={3} value={value} className={fieldClass} onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input ref={field} id={id} readOnly value={value} className={fieldClass} onFocus={(e) => e.currentTarget.select()} />
        )}
        <button type="button" onClick={copy} className="rounded bg-neutral-700 px-3 py-1.5 text-sm hover:bg-neutral-600" aria-label={`Copy ${label.toLowerCase()}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

export function ShareDialog({ videoId, title, pageUrl, width, height }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [time, setTime] = useState(0);
  const origin = new URL(pageUrl).origin;
  const aspect = width && height ? width / height : 16 / 9;
  const embed = iframeHtml(origin + embedPath(videoId), title, { width: EMBED_WIDTH, height: Math.round(EMBED_WIDTH / aspect) });
  const at = Math.floor(time);

  const open = () => {
    const el = document.getElementById(VIDEO_ELEMENT_ID) as HTMLVideoElement | null;
    setTime(el?.currentTime ?? 0);
    dialog.current?.showModal();
  };

  return (
    <>
      <button type="button" onClick={open} className="rounded-full bg-neutral-800 px-4 py-2 text-sm font-medium hover:bg-neutral-700" aria-haspopup="dialog">
        Share
      </button>
      <dialog ref={dialog} aria-labelledby="share-heading" className="w-[min(36rem,calc(100vw-2rem))] rounded-xl bg-neutral-900 p-5 text-neutral-100 backdrop:bg-black/70">
        <h2 id="share-heading" className="text-lg font-semibold">
          Share this video
        </h2>
        <CopyField label="Link" value={pageUrl} />
        {at > 0 && <CopyField label={`Link at ${formatDuration(at)}`} value={`${pageUrl}?t=${formatStartTime(at)}`} />}
        <CopyField label="Embed code" value={embed} multiline />
        <form method="dialog" className="mt-4 text-right">
          <button type="submit" className="rounded bg-red-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-red-700">
            Close
          </button>
        </form>
      </dialog>
    </>
  );
}
