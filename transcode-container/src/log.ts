// One JSON object per line on stdout: readable locally, parseable by Cloudflare's log tooling.
// Every string that goes out (message, fields, FFmpeg stderr excerpts, error texts) is passed
// through redactUrls first: a presigned source URL is a credential for as long as it lives.

export type Logger = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
};

const URL_WITH_QUERY = /(https?:\/\/[^\s"'<>?#]*)[?#][^\s"'<>]*/gi;
// Presigning parameters wherever they show up without their URL (e.g. an echoed query string).
const SIGNING_PARAMS = /\b(X-Amz-(?:Signature|Credential|Security-Token)|Signature|AWSAccessKeyId)=[^&\s"'<>]+/g;

export const REDACTED = "[redacted]";

/** Strips the query string and fragment from every http(s) URL in `text`. */
export function redactUrls(text: string): string {
  return text.replace(URL_WITH_QUERY, `$1?${REDACTED}`).replace(SIGNING_PARAMS, `$1=${REDACTED}`);
}

/** One log line as JSON, every string in it (at any depth, after toJSON) redacted. */
export function formatLogLine(level: string, message: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }, (_key, value: unknown) =>
    typeof value === "string" ? redactUrls(value) : value,
  );
}

export function createLogger(base: Record<string, unknown> = {}, quiet = process.env.TRANSCODER_QUIET === "1"): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (quiet && level === "info") return;
    const line = formatLogLine(level, message, { ...base, ...fields });
    (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, quiet),
  };
}
