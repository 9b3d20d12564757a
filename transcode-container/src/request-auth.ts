// Requests into the transcoder are signed like its callbacks (HMAC-SHA256 with CALLBACK_SECRET,
// `t=<unix seconds>,v1=<hex>`), over the method, path and body, so nothing but the Worker can
// make it fetch a source or write to storage. WebCrypto only: the Worker signs with this file.
// The transcoder's side (body reading, 401) is requireSignedRequest in http-util.ts.
import { bodyHash, signCallback, verifyCallbackSignature, verifySignatureHeader } from "./callback-signature.ts";

export const REQUEST_SIGNATURE_HEADER = "X-Transcoder-Request-Signature";

/** Replay window: a signed request is accepted this long (either way, for clock skew). */
export const REQUEST_TOLERANCE_SECONDS = 300;

/** What is signed: `<METHOD> <path with query>\n<raw body>` (then `<t>.` in front, as callbacks). */
const signedText = (method: string, path: string, body: string) => `${method.toUpperCase()} ${path}\n${body}`;

/** The X-Transcoder-Request-Signature value for one request. */
export function signTranscoderRequest(
  secret: string,
  method: string,
  path: string,
  body: string,
  timestamp?: number,
): Promise<string> {
  return signCallback(secret, signedText(method, path, body), timestamp);
}

/** fetch() init for a signed request (the path must be exactly the one requested, query included). */
export async function signedTranscoderInit(secret: string, method: string, path: string, body: string): Promise<RequestInit> {
  const hasBody = body !== "" && !/^(GET|HEAD)$/i.test(method);
  return {
    method,
    headers: {
      ...(hasBody ? { "content-type": "application/json" } : {}),
      [REQUEST_SIGNATURE_HEADER]: await signTranscoderRequest(secret, method, path, body),
    },
    ...(hasBody ? { body } : {}),
  };
}

export function verifyTranscoderRequest(
  secret: string,
  method: string,
  path: string,
  header: string | null | undefined,
  body: string,
  options: { now?: number } = {},
): Promise<boolean> {
  return verifyCallbackSignature(secret, header, signedText(method, path, body), {
    toleranceSeconds: REQUEST_TOLERANCE_SECONDS,
    now: options.now,
  });
}

/** The header alone (before the body is read): the body hash it vouches for, or null. */
export function verifyTranscoderRequestHeader(secret: string, header: string | null | undefined, options: { now?: number } = {}): Promise<string | null> {
  return verifySignatureHeader(secret, header, { toleranceSeconds: REQUEST_TOLERANCE_SECONDS, now: options.now });
}

/** True if this method, path and body are what a header that vouches for `signedHash` signed. */
export async function transcoderRequestMatches(signedHash: string, method: string, path: string, body: string): Promise<boolean> {
  return signedHash === (await bodyHash(signedText(method, path, body)));
}
