// Failure codes sent in the "failed" callback, each with a reason a person understands (the
// Worker shows it to the uploader as is).

export const FAILURE_REASONS = {
  not_media: "This file is not a video or audio file we can read",
  no_video: "The file has no video stream",
  too_long: "The video is longer than the 6 h limit",
  too_large: "The video resolution is too large (more than 8192 px on a side or 35.4 megapixels)",
  corrupt: "The file is damaged or truncated",
  source_unavailable: "The uploaded file could not be downloaded for processing",
  storage_error: "The processed video could not be saved",
  internal: "Processing failed because of an internal error",
} as const;

export type FailureCode = keyof typeof FAILURE_REASONS;

/** The input is at fault: another attempt would fail the same way. The others are worth a retry. */
export const PERMANENT_FAILURES: readonly FailureCode[] = ["not_media", "no_video", "too_long", "too_large", "corrupt"];

export class JobFailure extends Error {
  readonly code: FailureCode;
  readonly reason: string;
  readonly detail: string | undefined;

  constructor(code: FailureCode, reason?: string, detail?: string) {
    super(`${code}: ${reason ?? FAILURE_REASONS[code]}${detail ? ` (${detail})` : ""}`);
    this.code = code;
    this.reason = reason ?? FAILURE_REASONS[code];
    this.detail = detail;
  }
}

/** Reads FFmpeg/FFprobe stderr for a failure to fetch the source over HTTP. */
export function looksLikeSourceFetchError(stderr: string): boolean {
  // FFmpeg names some codes (404) and lumps others ("5XX": what the source reader answers when storage is unreachable).
  return /Server returned (4\d\d|5\d\d|4XX|5XX)|HTTP error|Connection refused|Connection timed out|Network is unreachable|Failed to resolve hostname|Operation timed out/i.test(
    stderr,
  );
}
