// Studio: a video's captions — the languages it has (replace the file, delete) and a form to add
// one (language tag, label, a WebVTT or SRT file). Talks to the API from the browser
// (GET/PUT/DELETE /api/videos/:id/captions…); the file is sent as it is and checked there, and
// the API's list of problems (bad timestamps, too many cues…) is shown as it comes back.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError, apiJson, callApi, errorMessage } from "../../lib/client-api";
import { readProblem, problemText } from "../../lib/problem";
import type { Video } from "../../lib/types";
import { FormError, primaryButton } from "../Field";

type Caption = { lang: string; label: string; url: string };
const input = "w-full rounded border border-neutral-600 bg-neutral-800 px-2 py-1";

async function upload(videoId: string, lang: string, label: string, file: File): Promise<void> {
  const query = label.trim() ? `?label=${encodeURIComponent(label.trim())}` : "";
  const res = await callApi(`/api/videos/${videoId}/captions/${encodeURIComponent(lang.trim())}${query}`, {
    method: "PUT",
    headers: { "content-type": file.name.toLowerCase().endsWith(".srt") ? "application/x-subrip" : "text/vtt" },
    body: await file.arrayBuffer(),
  });
  if (res.ok) return;
  const p = await readProblem(res);
  // The API names each problem's place ("cue 12: malformed timestamps"): show the first few.
  const details = Object.entries(p.fields)
    .slice(0, 5)
    .map(([path, message]) => `${path}: ${message}`);
  throw new ApiError(details.length ? [p.message, ...details].join(" · ") : problemText(p), p.status);
}

export function CaptionsEditor({ video }: { video: Video }) {
  const id = useId();
  const details = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  const [captions, setCaptions] = useState<Caption[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = () =>
    apiJson<Caption[]>(`/api/videos/${video.id}/captions`).then(setCaptions, (err: unknown) => setError(errorMessage(err)));
  // Opened before hydration (no toggle event seen): catch up.
  useEffect(() => {
    if (details.current?.open) setOpen(true);
  }, []);
  useEffect(() => {
    if (open && captions === null) void reload();
  }, [open]);

  const run = async (work: () => Promise<void>, done: string) => {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await work();
      await reload();
      setStatus(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const onAdd = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0) return setError("Choose a WebVTT or SRT file.");
    void run(async () => {
      await upload(video.id, String(data.get("lang") ?? ""), String(data.get("label") ?? ""), file);
      form.reset();
    }, "Captions saved.");
  };

  return (
    <details ref={details} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="rounded border border-neutral-600 px-3 py-1.5 hover:bg-neutral-800">
        Captions<span className="sr-only"> of “{video.title}”</span>
      </summary>
      <div className="mt-2 w-72 space-y-3 rounded-lg border border-neutral-700 bg-neutral-900 p-3">
        {captions === null ? (
          <p className="text-sm text-neutral-400">Loading…</p>
        ) : captions.length === 0 ? (
          <p className="text-sm text-neutral-400">No captions yet.</p>
        ) : (
          <ul className="space-y-2" aria-label={`Captions of “${video.title}”`}>
            {captions.map((c) => (
              <CaptionItem
                key={c.lang}
                caption={c}
                busy={busy}
                onReplace={(file) => run(() => upload(video.id, c.lang, c.label, file), `${c.label} replaced.`)}
                onDelete={() => run(() => apiJson<void>(`/api/videos/${video.id}/captions/${encodeURIComponent(c.lang)}`, { method: "DELETE" }), `${c.label} deleted.`)}
              />
            ))}
          </ul>
        )}
        <form onSubmit={onAdd} className="space-y-2 border-t border-neutral-800 pt-2">
          <p className="text-sm font-medium">Add a language</p>
          <label className="block text-sm" htmlFor={`${id}-lang`}>
            Language tag (e.g. en, pt-BR)
          </label>
          <input id={`${id}-lang`} name="lang" required maxLength={35} pattern="[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*" className={input} />
          <label className="block text-sm" htmlFor={`${id}-label`}>
            Label (optional)
          </label>
          <input id={`${id}-label`} name="label" maxLength={80} className={input} />
          <label className="block text-sm" htmlFor={`${id}-file`}>
            WebVTT or SRT file
          </label>
          <input id={`${id}-file`} name="file" type="file" required accept=".vtt,.srt,text/vtt" className="w-full text-sm" />
          <button type="submit" className={primaryButton} disabled={busy}>
            {busy ? "Saving…" : "Upload captions"}
          </button>
        </form>
        {error && <FormError message={error} />}
        {status && (
          <p role="status" className="text-sm text-emerald-300">
            {status}
          </p>
        )}
      </div>
    </details>
  );
}

function CaptionItem({ caption, busy, onReplace, onDelete }: { caption: Caption; busy: boolean; onReplace: (file: File) => void; onDelete: () => void }) {
  const id = useId();
  return (
    <li className="flex flex-wrap items-center gap-2 text-sm" data-testid="caption-item">
      <span className="min-w-0 flex-1 truncate">
        {caption.label} <span className="text-neutral-400">({caption.lang})</span>
      </span>
      <label htmlFor={id} className="cursor-pointer rounded border border-neutral-600 px-2 py-0.5 hover:bg-neutral-800">
        Replace<span className="sr-only"> {caption.label}</span>
      </label>
      <input
        id={id}
        type="file"
        accept=".vtt,.srt,text/vtt"
        className="sr-only"
        disabled={busy}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) onReplace(file);
          e.currentTarget.value = "";
        }}
      />
      <button type="button" className="rounded border border-red-800 px-2 py-0.5 text-red-200 hover:bg-red-950" disabled={busy} onClick={onDelete}>
        Delete<span className="sr-only"> {caption.label}</span>
      </button>
    </li>
  );
}
