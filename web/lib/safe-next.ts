// Where to go after signing in: the `next` parameter of /login and /signup, made safe.
// Browsers strip tabs and newlines from URLs and read "\" as "/", so "/<TAB>/evil" and "/\evil"
// are other sites to them. Anything of the kind, raw or percent-encoded, falls back.
const UNSAFE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff\\]/;
// A placeholder origin: `next` is resolved against it and must stay on it.
const HERE = "https://here.invalid";

/** A path on this site to go to after signing in, or `fallback`: never another origin or a scheme. */
export function safeNext(value: string | null | undefined, fallback = "/"): string {
  if (!value || UNSAFE.test(value) || !value.startsWith("/") || value.startsWith("//")) return fallback;
  let url: URL;
  let path: string;
  try {
    url = new URL(value, HERE);
    path = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  // Decoded, the path must still be a single-slash local path ("/%2F%2Fevil", "/%5Cevil", "/%09").
  if (url.origin !== HERE || UNSAFE.test(path) || path.startsWith("//")) return fallback;
  return url.pathname + url.search + url.hash;
}
