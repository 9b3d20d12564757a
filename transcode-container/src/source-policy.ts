// Where a request may point the transcoder: sources only in our bucket on the storage endpoint
// (S3_ENDPOINT, path-style, as the Worker presigns them), callbacks only under CALLBACK_ORIGIN
// when it is configured. A signed request is trusted, but this keeps a leaked secret or a bug
// from turning the transcoder into a fetcher of arbitrary URLs.
import type { Config } from "./config.ts";
import { HttpProblem } from "./http-util.ts";

/** The part of Config the checks read (a whole Config will do). */
export type StoragePolicy = { s3: Pick<Config["s3"], "endpoint" | "bucket"> };
export type CallbackPolicy = Pick<Config, "callbackOrigin">;

type UrlCheck = { ok: true } | { ok: false; message: string };

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** "http://host:port/path/" with the path's trailing slashes collapsed to one. */
function basePrefix(base: URL): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}/`;
}

/**
 * `url` is under `prefix` both as text and as parsed: FFmpeg reads the raw text with its own
 * URL parser, so the text must start with exactly our origin and path (no userinfo, backslash
 * or other parser-differential tricks), and after resolving dot segments it must still be there.
 */
function under(url: string, prefix: string): boolean {
  const parsed = parse(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol)) return false;
  if (parsed.username || parsed.password) return false;
  if (!url.startsWith(prefix) || /[\\\s]/.test(url)) return false;
  const prefixUrl = new URL(prefix);
  return parsed.origin === prefixUrl.origin && parsed.pathname.startsWith(prefixUrl.pathname);
}

/** The URL prefix every source must start with: `<S3_ENDPOINT>/<bucket>/`. */
export function sourcePrefix(s3: Pick<Config["s3"], "endpoint" | "bucket">): string {
  return `${basePrefix(new URL(s3.endpoint))}${encodeURIComponent(s3.bucket)}/`;
}

export function checkSource(config: StoragePolicy, url: string): UrlCheck {
  const prefix = sourcePrefix(config.s3);
  if (under(url, prefix) && url.length > prefix.length) return { ok: true };
  return { ok: false, message: `must be an object URL under the storage endpoint (${prefix})` };
}

export function checkCallback(config: CallbackPolicy, url: string): UrlCheck {
  if (config.callbackOrigin === null) return { ok: true };
  const prefix = basePrefix(new URL(config.callbackOrigin));
  if (under(url, prefix)) return { ok: true };
  return { ok: false, message: `must be under the callback origin (${prefix})` };
}

function refuse(errors: { path: string; message: string }[]): never {
  throw new HttpProblem(400, "Bad Request", "The request points outside the allowed storage or callback origin", errors);
}

/** Throws a 400 problem unless `url` is in our bucket on the storage endpoint. */
export function assertAllowedSource(config: StoragePolicy, url: string, path = "source.url"): void {
  const check = checkSource(config, url);
  if (!check.ok) refuse([{ path, message: check.message }]);
}

/** Throws a 400 problem unless `url` is under CALLBACK_ORIGIN (always passes when it is unset). */
export function assertAllowedCallback(config: CallbackPolicy, url: string, path = "callback.url"): void {
  const check = checkCallback(config, url);
  if (!check.ok) refuse([{ path, message: check.message }]);
}

/** Both checks for a request that has a source and (optionally) a callback; all problems at once. */
export function assertAllowedJob(
  config: StoragePolicy & CallbackPolicy,
  request: { source: { url: string }; callback?: { url: string } },
): void {
  const errors: { path: string; message: string }[] = [];
  const source = checkSource(config, request.source.url);
  if (!source.ok) errors.push({ path: "source.url", message: source.message });
  if (request.callback) {
    const callback = checkCallback(config, request.callback.url);
    if (!callback.ok) errors.push({ path: "callback.url", message: callback.message });
  }
  if (errors.length > 0) refuse(errors);
}
