// One error model for the whole API: RFC 9457 problem details.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "#db/errors.ts";

export type FieldError = { path: string; message: string };

export type ProblemInit = {
  status: number;
  title?: string;
  detail?: string;
  type?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** RFC 9457 extension members (e.g. the failed checks of the production preflight). */
  extensions?: Record<string, unknown>;
};

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Thrown anywhere in a request; the app's error handler turns it into problem+json. */
export class Problem extends Error {
  readonly init: ProblemInit;
  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? titles[init.status] ?? "Error");
    this.init = init;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem({ status: 400, detail, errors });
export const unauthorized = (detail = "Sign in to continue.") => new Problem({ status: 401, detail });
export const forbidden = (detail = "You are not allowed to do that.") => new Problem({ status: 403, detail });
export const notFound = (detail = "Not found.") => new Problem({ status: 404, detail });
export const conflict = (detail: string) => new Problem({ status: 409, detail });
export const unprocessable = (detail: string, errors?: FieldError[]) => new Problem({ status: 422, detail, errors });

export function problemResponse(init: ProblemInit): Response {
  const body = {
    type: init.type ?? "about:blank",
    title: init.title ?? titles[init.status] ?? "Error",
    status: init.status,
    detail: init.detail ?? init.title ?? titles[init.status] ?? "Error",
    ...(init.errors ? { errors: init.errors } : {}),
    ...init.extensions,
  };
  return new Response(JSON.stringify(body), {
    status: init.status,
    headers: { "content-type": "application/problem+json; charset=utf-8", ...init.headers },
  });
}

export function zodFieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** Maps anything thrown in a handler to a problem response; unknown errors are logged (one JSON line) and become 500. */
export function toProblemResponse(err: unknown, c?: Context): Response {
  if (err instanceof Problem) return problemResponse(err.init);
  if (err instanceof ZodError) {
    return problemResponse({ status: 400, detail: "The request is not valid.", errors: zodFieldErrors(err) });
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    return problemResponse({ status, detail: err.message || titles[status] });
  }
  if (isDatabaseUnavailable(err)) {
    const error = err instanceof Error ? err.message : String(err);
    console.warn(JSON.stringify({ level: "warn", event: "database_unavailable", method: c?.req.method, path: c?.req.path, error }));
    return problemResponse({ status: 503, detail: "The service is briefly unavailable. Try again in a moment.", headers: { "retry-after": "5" } });
  }
  console.error(
    JSON.stringify({
      level: "error",
      event: "unhandled_error",
      method: c?.req.method,
      path: c?.req.path,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    }),
  );
  return problemResponse({ status: 500, detail: "Something went wrong on our side." });
}
