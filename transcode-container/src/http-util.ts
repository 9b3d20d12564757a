// Small node:http helpers: JSON and RFC 9457 problem+json responses, bounded body reading.
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 64 * 1024;

export type ProblemError = { path: string; message: string };

export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemError[] | undefined;

  constructor(status: number, title: string, detail: string, errors?: ProblemError[]) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function sendProblem(res: ServerResponse, problem: HttpProblem): void {
  const body = {
    type: `https://edge-video.dev/problems/${problem.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  const text = JSON.stringify(body);
  res.writeHead(problem.status, {
    ...(problem.status === 413 ? { connection: "close" } : {}),
    "content-type": "application/problem+json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/** Reads a JSON body of at most MAX_BODY_BYTES; 413 beyond that, 400 if it is not JSON. */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const tooLarge = () =>
    new HttpProblem(413, "Payload Too Large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      // Answer without reading the body; the connection is closed after the response.
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on("data", (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        overflow = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (overflow) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new HttpProblem(400, "Bad Request", "The request body is not valid JSON"));
      }
    });
  });
}
