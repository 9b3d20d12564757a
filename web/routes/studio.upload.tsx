import { useEffect, useRef, useState, type FormEvent } from "react";
import { data, redirect, useSearchParams } from "react-router";
import type { Route } from "./+types/studio.upload";
import { BackLink } from "../components/BackLink";
import { FormError, primaryButton } from "../components/Field";
import { FileDrop } from "../components/upload/FileDrop";
import { ProcessingPanel } from "../components/upload/ProcessingPanel";
import { ResumeList } from "../components/upload/ResumeList";
import { UploadingPanel } from "../components/upload/UploadingPanel";
import { VideoFields } from "../components/VideoFields";
import { requireMe } from "../lib/api.server";
import { errorMessage } from "../lib/client-api";
import { formatBytes } from "../lib/format";
import { publishAtFromForm } from "../lib/schedule";
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

export default function Upload({ actionData }: Route.ComponentProps) {
  const [phase, setPhase] = useState<Phase>({ name: "pick" });
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(actionData?.error ?? null);
  const [title, setTitle] = useState("");
  const [pending, setPending] = useState<PendingUpload[]>([]);
  const [resumeTarget, setResumeTarget] = useState<PendingUpload | null>(null);
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
        publishAt: publishAtFromForm(form),
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
      <BackLink to="/studio" className="mb-2 text-sm">
        Studio
      </BackLink>
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
        <ResumeList uploads={resumables} onResume={(p, f) => void resume(p, f)} onDiscard={(id) => void discard(id)} />
      )}

      {phase.name === "pick" && (
        <form method="post" onSubmit={start} className="mt-6 space-y-5" noValidate>
          <FileDrop file={file} error={fileError} onChoose={choose} />
          <VideoFields
            idFor={(field) => `upload-${field}`}
            title={{ value: title, onChange: (e) => setTitle(e.target.value) }}
            descriptionRows={4}
          />
          <button type="submit" className={primaryButton} disabled={!title.trim()}>
            Upload
          </button>
        </form>
      )}

      {phase.name === "uploading" && <UploadingPanel progress={phase.progress} onCancel={() => void cancel()} headingRef={status} />}

      {phase.name === "processing" && (
        <ProcessingPanel video={phase.video} headingRef={status} onUploadAnother={() => (setFile(null), setTitle(""), setPhase({ name: "pick" }))} />
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
