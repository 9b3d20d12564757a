// Small node:http helpers: JSON and RFC 9457 problem+json responses, bounded body reading, and
// the signed-request gate every route but /health goes through.
import type { IncomingMessage, ServerResponse } from "node:http";
import { REQUEST_SIGNATURE_HEADER, transcoderRequestMatches, verifyTranscoderRequestHeader } from "./request-auth.ts";

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
    ...(problem.status === 413 || problem.status === 401 ? { connection: "close" } : {}),
    "content-type": "application/problem+json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** Bodies already read (by requireSignedRequest, to check the signature), for readJsonBody. */
const bodiesRead = new WeakMap<IncomingMessage, string>();

/** Reads the raw body of at most MAX_BODY_BYTES (413 beyond that); once per request. */
export function readRawBody(req: IncomingMessage): Promise<string> {
  const known = bodiesRead.get(req);
  if (known !== undefined) return Promise.resolve(known);
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
      const text = Buffer.concat(chunks).toString("utf8");
      bodiesRead.set(req, text);
      resolve(text);
    });
  });
}

/** Reads a JSON body of at most MAX_BODY_BYTES; 413 beyond that, 400 if it is not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readRawBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "Bad Request", "The request body is not valid JSON");
  }
}

/**
 * Refuses (401) any request but `GET /health` that lacks a valid X-Transcoder-Request-Signature
 * (request-auth.ts: HMAC with CALLBACK_SECRET over the time and the hash of method, path with
 * query, and body). The header is checked before the body is read, so an unsigned request costs
 * no body reading; then the body (at most MAX_BODY_BYTES) must be the one signed. readJsonBody
 * then returns that same body.
 */
export async function requireSignedRequest(req: IncomingMessage, secret: string): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const target = req.url ?? "/";
  const pathname = new URL(target, "http://transcoder.local").pathname.replace(/\/+$/, "") || "/";
  if (method === "GET" && pathname === "/health") return;
  const header = req.headers[REQUEST_SIGNATURE_HEADER.toLowerCase()];
  const value = Array.isArray(header) ? header[0] : header;
  const refuse = () =>
    new HttpProblem(
      401,
      "Unauthorized",
      value
        ? `The ${REQUEST_SIGNATURE_HEADER} header is not a valid signature for this request (or it has expired)`
        : `Requests must carry an ${REQUEST_SIGNATURE_HEADER} header`,
    );
  const signedHash = await verifyTranscoderRequestHeader(secret, value);
  if (!signedHash) {
    req.resume(); // discarded unread; the connection is closed after the 401
    throw refuse();
  }
  const body = await readRawBody(req);
  if (!(await transcoderRequestMatches(signedHash, method, target, body))) throw refuse();
}
