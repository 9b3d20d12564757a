// Loaders and actions call the API in-process (web/lib/api-context.ts). Server-only.
import { data, redirect, type RouterContextProvider } from "react-router";
import { apiContext } from "./api-context";
import { readProblem, problemText, type ProblemInfo } from "./problem";
import type { MeWithQuota } from "#contract/quotas.ts";
import type { ActionResult } from "./types";

export type { ActionResult };

type Ctx = Readonly<RouterContextProvider>;

export const api = (context: Ctx) => context.get(apiContext);

/** GET a JSON resource; an error response is thrown as a route error with the problem's words. */
export async function loadJson<T>(context: Ctx, path: string): Promise<T> {
  const res = await api(context)(path);
  if (res.ok) return (await res.json()) as T;
  const p = await readProblem(res);
  throw data({ message: p.message }, { status: p.status });
}

export async function sendJson(context: Ctx, path: string, method: string, body?: unknown): Promise<Response> {
  return api(context)(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}


export async function actionResult(res: Response, intent?: string) {
  if (res.ok) {
    await res.body?.cancel();
    return data<ActionResult>({ ok: true, intent });
  }
  const p: ProblemInfo = await readProblem(res);
  return data<ActionResult>({ ok: false, intent, error: problemText(p), fields: p.fields }, { status: p.status });
}

export const failure = (error: string, status = 400, fields: Record<string, string> = {}, intent?: string) =>
  data<ActionResult>({ ok: false, intent, error, fields }, { status });

/** Copies the API's Set-Cookie headers (login, signup, logout) onto the page response. */
export function cookieHeaders(res: Response, ...extra: string[]): Headers {
  const headers = new Headers();
  for (const line of res.headers.getSetCookie()) headers.append("set-cookie", line);
  for (const line of extra) headers.append("set-cookie", line);
  return headers;
}

/** GET /api/me (creators also get their quota). */
export async function getMe(context: Ctx): Promise<MeWithQuota | null> {
  const res = await api(context)("/api/me");
  if (res.ok) return (await res.json()) as MeWithQuota;
  await res.body?.cancel();
  return null;
}

/** The signed-in person, or a redirect to the login page that comes back here. */
export async function requireMe(context: Ctx, request: Request): Promise<MeWithQuota> {
  const me = await getMe(context);
  if (me) return me;
  const url = new URL(request.url);
  throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
}

export const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};
