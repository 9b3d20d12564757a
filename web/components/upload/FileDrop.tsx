// The file chooser of the upload form, also a drop target for a dragged file.
import { useState, type DragEvent } from "react";
import { formatBytes } from "../../lib/format";

type Props = { file: File | null; error: string | null; onChoose: (file: File | undefined) => void };

export function FileDrop({ file, error, onChoose }: Props) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      onDragOver={(e: DragEvent) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e: DragEvent) => {
        e.preventDefault();
        setDragging(false);
        onChoose(e.dataTransfer.files[0]);
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
          aria-describedby={error ? "upload-file-error" : undefined}
          onChange={(e) => onChoose(e.target.files?.[0])}
        />
      </label>
      {error && (
        <p id="upload-file-error" role="alert" className="mt-2 text-sm text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}
