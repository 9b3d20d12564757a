// Requests into the transcoder are signed like its callbacks (HMAC-SHA256 with CALLBACK_SECRET,
// `t=<unix seconds>,v1=<hex>`), over the method, path and body, so nothing but the Worker can
// make it fetch a source or write to storage. WebCrypto only: the Worker signs with this file.
import { signCallback, verifyCallbackSignature } from "./callback-signature.ts";

export const REQUEST_SIGNATURE_HEADER = "X-Transcoder-Request-Signature";

const signedText = (method: string, path: string, body: string) => `${method.toUpperCase()} ${path}\n${body}`;

export async function signedTranscoderInit(secret: string, method: string, path: string, body: string): Promise<RequestInit> {
  return {
    method,
    headers: {
      "content-type": "application/json",
      [REQUEST_SIGNATURE_HEADER]: await signCallback(secret, signedText(method, path, body)),
    },
    body,
  };
}

export function verifyTranscoderRequest(secret: string, method: string, path: string, header: string | undefined, body: string): Promise<boolean> {
  return verifyCallbackSignature(secret, header, signedText(method, path, body));
}
