import { useEffect, useRef, useState, type DragEvent, type FormEvent, type RefObject } from "react";
import { Link, data, redirect, useSearchParams } from "react-router";
import type { Route } from "./+types/studio.upload";
import { FormError, primaryButton } from "../components/Field";
import { VideoStatus } from "../components/VideoStatus";
import { requireMe } from "../lib/api.server";
import { callApi, errorMessage } from "../lib/client-api";
import { formatBytes, formatDuration } from "../lib/format";
import type { Video, Visibility } from "../lib/types";
import {
  Uploader,
  cancelUpload,
  checkFile,
  pendingUploads,
  sameFile,
  type PendingUpload,
  type UploadProgress,
} from "../lib/uploader";

export const meta = () => [{ title: "Upload · Studio · Edge Video" }, { name: "robots", content: "noindex" }];

export async function loader({ context, request }: Route.LoaderArgs) {
  const me = await requireMe(context, request);
  if (!me.creator) throw redirect("/studio");
  return null;
}

// Without JavaScript the form would post the whole file here; uploads need the browser's help.
export async function action() {
  return data({ error: "Uploading needs JavaScript: it sends the file to storage in parts and can resume. Turn JavaScript on and try again." }, { status: 400 });
}

type Phase =
  | { name: "pick" }
  | { name: "uploading"; uploader: Uploader; progress: UploadProgress | null }
  | { name: "processing"; video: Video }
  | { name: "failed"; message: string; videoId: string | null };

const input = "w-full rounded border border-neutral-600 bg-neutral-900 px-3 py-2";

export default function Upload({ actionData }: Route.ComponentProps) {
  const [phase, setPhase] = useState<Phase>({ name: "pick" });
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(actionData?.error ?? null);
  const [title, setTitle] = useState("");
  const [pending, setPending] = useState<PendingUpload[]>([]);
  const [resumeTarget, setResumeTarget] = useState<PendingUpload | null>(null);
  const [dragging, setDragging] = useState(false);
  const [params] = useSearchParams();
  const status = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const list = pendingUploads();
    setPending(list);
    const wanted = params.get("resume");
    if (wanted) {
      setResumeTarget(list.find((p) => p.videoId === wanted) ?? { videoId: wanted, name: "", size: 0, lastModified: 0, title: "", startedAt: 0 });
    }
  }, []);

  // Leaving mid-upload loses nothing (it resumes), but say so before the page goes.
  useEffect(() => {
    if (phase.name !== "uploading") return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [phase.name]);

  // After the upload: processing progress until the video can be watched.
  const processingId = phase.name === "processing" ? phase.video.id : null;
  const processingStatus = phase.name === "processing" ? phase.video.status : null;
  useEffect(() => {
    if (!processingId || processingStatus === "ready" || processingStatus === "failed") return;
    const timer = setInterval(async () => {
      try {
        const res = await callApi(`/api/videos/${processingId}`);
        if (res.ok) {
          const video = (await res.json()) as Video;
          setPhase((p) => (p.name === "processing" ? { name: "processing", video } : p));
        }
      } catch {
        // Try again on the next tick.
      }
    }, 2000);
    return () => clearInterval(timer);
  }, [processingId, processingStatus]);

  useEffect(() => status.current?.focus(), [phase.name]);

  const choose = (f: File | null | undefined) => {
    setError(null);
    if (!f) return;
    const problem = checkFile(f);
    setFileError(problem);
    setFile(problem ? null : f);
    if (!problem && !title) setTitle(f.name.replace(/\.[^.]+$/, "").slice(0, 200));
  };

  const run = async (uploader: Uploader) => {
    setPhase({ name: "uploading", uploader, progress: null });
    try {
      const video = await uploader.run((progress) =>
        setPhase((p) => (p.name === "uploading" && p.uploader === uploader ? { ...p, progress } : p)),
      );
      setPending(pendingUploads());
      setPhase({ name: "processing", video });
    } catch (err) {
      setPhase((p) => (p.name === "pick" ? p : { name: "failed", message: errorMessage(err), videoId: uploader.videoId }));
    }
  };

  const start = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!file) {
      setFileError("Choose a video file first.");
      return;
    }
    const form = new FormData(e.currentTarget);
    try {
      const uploader = await Uploader.create(file, {
        title: title.trim(),
        description: String(form.get("description") ?? ""),
        visibility: String(form.get("visibility") ?? "public") as Visibility,
      });
      await run(uploader);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const resume = async (target: PendingUpload, f: File | undefined) => {
    setError(null);
    if (!f) return;
    if (target.size && !sameFile(target, f)) {
      setError(`That is not the same file. Choose “${target.name}” (${formatBytes(target.size)}) again.`);
      return;
    }
    try {
      await run(await Uploader.resume(target.videoId, f));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const discard = async (videoId: string) => {
    setError(null);
    try {
      await cancelUpload(videoId);
      setPending(pendingUploads());
      setResumeTarget(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const cancel = async () => {
    if (phase.name !== "uploading") return;
    const { uploader } = phase;
    setPhase({ name: "pick" });
    try {
      await uploader.cancel();
      setError("Upload cancelled.");
    } catch (err) {
      setError(errorMessage(err));
    }
    setPending(pendingUploads());
  };

  const resumables = resumeTarget ? [resumeTarget, ...pending.filter((p) => p.videoId !== resumeTarget.videoId)] : pending;

  return (
    <main id="main" className="mx-auto max-w-2xl px-4 py-6">
      <p className="mb-2 text-sm">
        <Link to="/studio" className="underline">
          ← Studio
        </Link>
      </p>
      <h1 className="text-2xl font-bold">Upload a video</h1>
      <noscript>
        <p className="mt-4 rounded border border-amber-700 bg-amber-950 p-3 text-amber-100">
          Uploading needs JavaScript: the file goes to storage in parts and can resume if the connection drops.
        </p>
      </noscript>
      <div className="mt-4">
        <FormError message={error} />
      </div>

      {phase.name === "pick" && resumables.length > 0 && (
        <section aria-labelledby="resume-heading" className="mt-6 rounded-xl border border-amber-700 p-4">
          <h2 id="resume-heading" className="text-lg font-semibold">
            Unfinished uploads
          </h2>
          <ul className="mt-2 space-y-4">
            {resumables.map((p) => (
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
                    <input type="file" accept="video/*" className="sr-only" onChange={(e) => void resume(p, e.target.files?.[0])} />
                  </label>
                  <button type="button" onClick={() => void discard(p.videoId)} className="rounded px-3 py-1.5 text-red-200 hover:bg-red-950">
                    Discard
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}

      {phase.name === "pick" && (
        <form method="post" onSubmit={start} className="mt-6 space-y-5" noValidate>
          <div
            onDragOver={(e: DragEvent) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e: DragEvent) => {
              e.preventDefault();
              setDragging(false);
              choose(e.dataTransfer.files[0]);
            }}
          >
            <label
              htmlFor="upload-file"
              className={`flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-4 py-10 text-center focus-within:outline-2 focus-within:outline-sky-400 ${
                dragging ? "border-red-400 bg-neutral-900" : "border-neutral-600 hover:bg-neutral-900"
              }`}
            >
              <span className="text-lg font-medium">{file ? file.name : "Drop a video here, or choose a file"}</span>
              <span className="text-sm text-neutral-300">{file ? formatBytes(file.size) : "MP4, MOV, WebM, MKV… up to 10 GB"}</span>
              <input
                id="upload-file"
                name="file"
                type="file"
                accept="video/*"
                className="sr-only"
                aria-describedby={fileError ? "upload-file-error" : undefined}
                onChange={(e) => choose(e.target.files?.[0])}
              />
            </label>
            {fileError && (
              <p id="upload-file-error" role="alert" className="mt-2 text-sm text-red-300">
                {fileError}
              </p>
            )}
          </div>
          <div className="space-y-1">
            <label htmlFor="upload-title" className="block text-sm font-medium">
              Title
            </label>
            <input id="upload-title" name="title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} className={input} />
          </div>
          <div className="space-y-1">
            <label htmlFor="upload-description" className="block text-sm font-medium">
              Description
            </label>
            <textarea id="upload-description" name="description" rows={4} maxLength={5000} className={input} />
          </div>
          <div className="space-y-1">
            <label htmlFor="upload-visibility" className="block text-sm font-medium">
              Visibility
            </label>
            <select id="upload-visibility" name="visibility" defaultValue="public" className={input}>
              <option value="public">Public</option>
              <option value="unlisted">Unlisted (only with the link)</option>
              <option value="private">Private (only you)</option>
            </select>
          </div>
          <button type="submit" className={primaryButton} disabled={!title.trim()}>
            Upload
          </button>
        </form>
      )}

      {phase.name === "uploading" && <Uploading progress={phase.progress} onCancel={() => void cancel()} headingRef={status} />}

      {phase.name === "processing" && (
        <section aria-labelledby="processing-heading" className="mt-6 space-y-3 rounded-xl border border-neutral-800 p-4">
          <h2 id="processing-heading" ref={status} tabIndex={-1} className="text-lg font-semibold">
            {phase.video.status === "ready" ? "Your video is ready" : phase.video.status === "failed" ? "Processing failed" : "Uploaded. Processing…"}
          </h2>
          <div aria-live="polite">
            <VideoStatus video={phase.video} />
          </div>
          <p className="flex flex-wrap gap-3">
            {phase.video.playable && (
              <Link to={`/watch/${phase.video.id}`} className={primaryButton}>
                Watch it now
              </Link>
            )}
            <Link to="/studio" className="rounded border border-neutral-600 px-4 py-2 hover:bg-neutral-800">
              Go to Studio
            </Link>
            <button type="button" onClick={() => (setFile(null), setTitle(""), setPhase({ name: "pick" }))} className="rounded px-4 py-2 underline">
              Upload another
            </button>
          </p>
        </section>
      )}

      {phase.name === "failed" && (
        <section aria-labelledby="failed-heading" className="mt-6 space-y-3 rounded-xl border border-red-800 p-4">
          <h2 id="failed-heading" ref={status} tabIndex={-1} className="text-lg font-semibold">
            The upload stopped
          </h2>
          <p>{phase.message}</p>
          <p className="flex flex-wrap gap-3">
            {file && phase.videoId && (
              <button
                type="button"
                className={primaryButton}
                onClick={() => void resume({ videoId: phase.videoId!, name: file.name, size: file.size, lastModified: file.lastModified, title, startedAt: 0 }, file)}
              >
                Try again
              </button>
            )}
            <button type="button" onClick={() => (setPending(pendingUploads()), setPhase({ name: "pick" }))} className="rounded border border-neutral-600 px-4 py-2">
              Back
            </button>
          </p>
        </section>
      )}
    </main>
  );
}

function Uploading({ progress, onCancel, headingRef }: { progress: UploadProgress | null; onCancel: () => void; headingRef: RefObject<HTMLHeadingElement | null> }) {
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
