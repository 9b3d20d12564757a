// The storage key a /media request path asks for: an optional signed prefix
// (`s/<expires>.<sig>/`), then the key (which keys are served: parseServedKey).
const signedPrefix = /^s\/([^/]+)\/(.*)$/;

export function requestedKey(requestPath: string): { key: string; token: string | undefined } {
  const path = requestPath.replace(/^\/media\//, "");
  const signed = signedPrefix.exec(path);
  return { key: signed ? signed[2]! : path, token: signed?.[1] };
}
