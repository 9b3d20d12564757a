// Resumable multipart upload straight to storage. The API creates the video and a multipart
// upload with presigned part URLs; parts are PUT in parallel (XMLHttpRequest for progress), each
// stored part is reported to the API with its ETag so that a reload or a dropped connection can
// resume with only the missing parts; failed parts are retried with backoff.
import type { CompleteUploadInput, CreateVideoInput, CreatedVideo, ResumeInfo } from "#contract/api.ts";
// The plain half of the contract: no zod in the browser bundle.
import { MAX_UPLOAD_BYTES, partLength } from "#contract/limits.ts";
import { ApiError, apiJson } from "./client-api";
import { formatBytes } from "./format";
import type { Video, Visibility } from "./types";

export const CONCURRENCY = 4;
const MAX_ATTEMPTS = 8;
const PENDING_KEY = "ev:uploads";

const EXTENSION_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
  ts: "video/mp2t",
  "3gp": "video/3gpp",
};

/** The file's video/* type, from the browser or, when it does not know, from the extension. */
export function videoType(file: Pick<File, "type" | "name">): string | null {
  if (file.type.startsWith("video/")) return file.type;
  if (file.type) return null;
  return EXTENSION_TYPES[file.name.split(".").pop()?.toLowerCase() ?? ""] ?? null;
}

/** Why this file cannot be uploaded, in words, or null when it can. */
export function checkFile(file: Pick<File, "type" | "name" | "size">): string | null {
  if (!videoType(file)) return `“${file.name}” is not a video file. Choose a video (MP4, MOV, WebM, MKV…).`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > MAX_UPLOAD_BYTES) return `“${file.name}” is ${formatBytes(file.size)}; videos can be at most ${formatBytes(MAX_UPLOAD_BYTES)}.`;
  return null;
}

// Unfinished uploads, so that the page can offer to resume after a reload.
export type PendingUpload = { videoId: string; name: string; size: number; lastModified: number; title: string; startedAt: number };

export function pendingUploads(): PendingUpload[] {
  try {
    const list = JSON.parse(localStorage.getItem(PENDING_KEY) ?? "[]") as PendingUpload[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}
function writePending(list: PendingUpload[]) {
  try {
    localStorage.setItem(PENDING_KEY, JSON.stringify(list));
  } catch {
    // Storage unavailable: resuming after a reload will not be offered.
  }
}
export const forgetPending = (videoId: string) => writePending(pendingUploads().filter((p) => p.videoId !== videoId));
const rememberPending = (p: PendingUpload) => writePending([...pendingUploads().filter((x) => x.videoId !== p.videoId), p]);

export const sameFile = (p: PendingUpload, file: File) => p.size === file.size && p.name === file.name && p.lastModified === file.lastModified;

export type UploadProgress = {
  sent: number;
  total: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
  partsDone: number;
  partCount: number;
  /** Set while a part waits to be tried again. */
  retrying: string | null;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

const online = (signal: AbortSignal) =>
  navigator.onLine
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        addEventListener("online", () => resolve(), { once: true });
        signal.addEventListener("abort", () => resolve(), { once: true });
      });

class PartError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class Uploader {
  private readonly abort = new AbortController();
  private readonly requests = new Set<XMLHttpRequest>();
  private readonly etags = new Map<number, string>();
  private readonly inFlight = new Map<number, number>();
  private doneBytes = 0;
  private samples: [number, number][] = [];
  private retrying: string | null = null;

  private constructor(
    private readonly file: File,
    readonly videoId: string,
    private readonly partSize: number,
    private readonly partCount: number,
    private urls: Map<number, string>,
    uploaded: { partNumber: number; etag: string }[],
  ) {
    for (const p of uploaded) {
      this.etags.set(p.partNumber, p.etag);
      this.doneBytes += this.sizeOf(p.partNumber);
    }
  }

  /** Creates the video and its multipart upload. */
  static async create(file: File, meta: { title: string; description: string; visibility: Visibility; publishAt: string | null }) {
    const contentType = videoType(file);
    const problem = checkFile(file);
    if (problem || !contentType) throw new ApiError(problem ?? "Not a video file.", 400);
    const { video, upload } = await apiJson<CreatedVideo>("/api/videos", {
      method: "POST",
      json: { ...meta, filename: file.name, size: file.size, contentType } satisfies CreateVideoInput,
    });
    rememberPending({ videoId: video.id, name: file.name, size: file.size, lastModified: file.lastModified, title: meta.title, startedAt: Date.now() });
    return new Uploader(file, video.id, upload.partSize, upload.partCount, new Map(upload.parts.map((p) => [p.partNumber, p.url])), []);
  }

  /** Picks up an unfinished upload: only the parts storage does not have yet are sent. */
  static async resume(videoId: string, file: File) {
    const info = await apiJson<ResumeInfo>(`/api/videos/${videoId}/upload`);
    if (info.size !== file.size) {
      throw new ApiError(`That is not the same file: the upload expects ${formatBytes(info.size)}, this file has ${formatBytes(file.size)}.`, 409);
    }
    return new Uploader(file, videoId, info.partSize, info.partCount, new Map(info.parts.map((p) => [p.partNumber, p.url])), info.uploaded);
  }

  private sizeOf(partNumber: number) {
    return partLength(this.file.size, this.partSize, partNumber);
  }

  private progress(): UploadProgress {
    const sent = this.doneBytes + [...this.inFlight.values()].reduce((a, b) => a + b, 0);
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 5000) this.samples.shift();
    const [t0, s0] = this.samples[0]!;
    const bytesPerSecond = now - t0 > 250 ? ((sent - s0) * 1000) / (now - t0) : 0;
    const left = this.file.size - sent;
    return {
      sent,
      total: this.file.size,
      bytesPerSecond,
      secondsLeft: bytesPerSecond > 0 ? left / bytesPerSecond : null,
      partsDone: this.etags.size,
      partCount: this.partCount,
      retrying: this.retrying,
    };
  }

  private put(partNumber: number, url: string, report: () => void): Promise<string> {
    const start = (partNumber - 1) * this.partSize;
    const blob = this.file.slice(start, start + this.sizeOf(partNumber));
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.requests.add(xhr);
      xhr.open("PUT", url);
      xhr.upload.onprogress = (e) => {
        this.inFlight.set(partNumber, e.loaded);
        report();
      };
      xhr.onload = () => {
        const etag = xhr.getResponseHeader("ETag");
        if (xhr.status >= 200 && xhr.status < 300 && etag) resolve(etag);
        else reject(new PartError(xhr.status >= 200 && xhr.status < 300 ? "Storage did not return an ETag." : `Storage answered ${xhr.status}.`, xhr.status));
      };
      xhr.onerror = () => reject(new PartError("The connection dropped.", 0));
      xhr.onabort = () => reject(new PartError("Cancelled.", -1));
      xhr.onloadend = () => this.requests.delete(xhr);
      xhr.send(blob);
    });
  }

  /** Fresh URLs for the parts still missing (URLs expire; resuming also needs them). */
  private async refreshUrls() {
    const info = await apiJson<ResumeInfo>(`/api/videos/${this.videoId}/upload`);
    this.urls = new Map(info.parts.map((p) => [p.partNumber, p.url]));
  }

  private async sendPart(partNumber: number, report: () => void) {
    const signal = this.abort.signal;
    let stored: string | null = null;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (!stored) {
          const url = this.urls.get(partNumber);
          if (!url) await this.refreshUrls();
          stored = await this.put(partNumber, this.urls.get(partNumber)!, report);
        }
        await apiJson(`/api/videos/${this.videoId}/upload/parts/${partNumber}`, {
          method: "PUT",
          json: { etag: stored, size: this.sizeOf(partNumber) },
        });
        this.inFlight.delete(partNumber);
        this.etags.set(partNumber, stored);
        this.doneBytes += this.sizeOf(partNumber);
        if (this.retrying?.startsWith(`Part ${partNumber} `)) this.retrying = null;
        report();
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        this.inFlight.delete(partNumber);
        const status = err instanceof PartError || err instanceof ApiError ? err.status : 0;
        // Not worth retrying: the upload is gone or refused.
        if (err instanceof ApiError && (status === 404 || status === 409 || status === 422)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new ApiError(`Part ${partNumber} could not be sent (${(err as Error).message}). Resume to try again.`, status);
        if (status === 403) this.urls.delete(partNumber); // expired or refused URL: get a new one
        const wait = Math.min(30_000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        this.retrying = `Part ${partNumber} failed (${(err as Error).message}); trying again in ${Math.round(wait / 1000)} s.`;
        report();
        await online(signal);
        await sleep(wait, signal);
      }
    }
  }

  /** Sends every missing part (CONCURRENCY at a time), then completes the upload. */
  async run(onProgress: (p: UploadProgress) => void): Promise<Video> {
    let last = 0;
    const report = (force = false) => {
      const now = performance.now();
      if (!force && now - last < 100) return;
      last = now;
      onProgress(this.progress());
    };
    report(true);
    const queue = Array.from({ length: this.partCount }, (_, i) => i + 1).filter((n) => !this.etags.has(n));
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await this.sendPart(n, report);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    } catch (err) {
      this.stopRequests();
      throw err;
    }
    report(true);
    // Every part was reported as it was stored, so the API completes from its own list: the
    // body stays small however many parts there are (1,280 ETags would not fit in a JSON body).
    const video = await apiJson<Video>(`/api/videos/${this.videoId}/upload/complete`, { method: "POST", json: {} satisfies CompleteUploadInput });
    forgetPending(this.videoId);
    return video;
  }

  private stopRequests() {
    this.abort.abort();
    for (const xhr of this.requests) xhr.abort();
  }

  /** Stops sending and discards the upload on the server. */
  async cancel() {
    this.stopRequests();
    await cancelUpload(this.videoId);
  }
}

export async function cancelUpload(videoId: string) {
  try {
    await apiJson(`/api/videos/${videoId}/upload`, { method: "DELETE" });
  } catch (err) {
    // Already gone (404) or already complete (409): nothing left to cancel here.
    if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 409)) throw err;
  }
  forgetPending(videoId);
}
