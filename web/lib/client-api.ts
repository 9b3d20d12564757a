// The browser's way to the API: same-origin fetch with the session cookies; an expired access
// token is renewed once (POST /api/auth/refresh, which sees the refresh cookie) and the call retried.
import { readProblem, problemText } from "./problem";
import { hasSessionHint, refreshSession } from "./session";

export { hasSessionHint, refreshSession };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function callApi(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
  const send = () => fetch(path, { ...init, headers });
  const res = await send();
  if (res.status === 401 && hasSessionHint() && (await refreshSession())) return send();
  return res;
}

/** JSON in, JSON out; an error response becomes an ApiError with the problem's words. */
export async function apiJson<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await callApi(path, json === undefined ? rest : { ...rest, body: JSON.stringify(json) });
  if (!res.ok) {
    const p = await readProblem(res);
    throw new ApiError(problemText(p), p.status, p.fields);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const errorMessage = (err: unknown) =>
  err instanceof ApiError ? err.message : "The connection failed. Check your network and try again.";
