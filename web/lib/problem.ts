// Turns an API error (application/problem+json) into words for a person. Never shows raw JSON.
export type ProblemInfo = { status: number; message: string; fields: Record<string, string> };

export async function readProblem(res: Response): Promise<ProblemInfo> {
  const fields: Record<string, string> = {};
  let message = "";
  try {
    const body = (await res.json()) as { detail?: unknown; title?: unknown; errors?: { path?: unknown; message?: unknown }[] };
    if (typeof body.detail === "string") message = body.detail;
    else if (typeof body.title === "string") message = body.title;
    for (const e of Array.isArray(body.errors) ? body.errors : []) {
      if (typeof e.path === "string" && typeof e.message === "string" && !fields[e.path]) fields[e.path] = e.message;
    }
  } catch {
    // Not JSON: fall through to a generic sentence.
  }
  if (!message) {
    message =
      res.status === 429
        ? "Too many requests. Wait a moment and try again."
        : res.status >= 500
          ? "The server had a problem. Please try again in a moment."
          : `The request failed (${res.status}).`;
  }
  return { status: res.status, message, fields };
}

/** The detail plus field messages, as one sentence list. */
export function problemText(p: Pick<ProblemInfo, "message" | "fields">): string {
  const extra = Object.values(p.fields).filter((m) => m !== p.message);
  return [p.message, ...extra].join(" ");
}
