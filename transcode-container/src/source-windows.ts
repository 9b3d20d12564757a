// FFmpeg reads a task's source from a loopback URL; this server fetches it from storage in
// bounded windows (Range: bytes=a-b), the next window requested while the current one streams.
//
// Why not hand FFmpeg the presigned URL: FFmpeg 5.1's HTTP reader asks for "bytes=a-" (the
// rest of the object) on open and on every seek, and only reads what it needs. Stores may do
// work proportional to the range asked for before the first byte: wrangler's local R2 takes
// ~1 s per open-ended read of a 180 MB multipart upload (measured; 7 ms for a 64 KiB range), and
// the probe, the first chunk and the first audio chunk each pay it on the path to "playable".
// Bounded windows make every read cost what it uses, locally and in production (R2 too), and
// keep presigned URLs out of FFmpeg's arguments and messages.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { Logger } from "./log.ts";

/** 4 MiB: ~4 s of an 8 Mb/s 1080p source; one window of read-ahead hides the request latency. */
export const SOURCE_WINDOW_BYTES = 4 * 1024 * 1024;
const WINDOW_ATTEMPTS = 3;

/** What storage was asked for on a source's behalf: requests and bytes (window sizes). */
export type SourceReads = { requests: number; bytes: number };
type Registered = { url: string; reads: SourceReads };
// The Response itself is kept, not just its body: Node's fetch cancels the body of a Response
// that is garbage-collected before the body is read, which would empty a read-ahead window.
type Window = { status: number; total: number | null; response: Response };
const bodyOf = (window: Window) => (window.status === 200 || window.status === 206 ? window.response.body : null);

export class SourceWindows {
  #server: Server;
  #sources = new Map<string, Registered>();
  #log: Logger;
  #port = 0;

  private constructor(log: Logger) {
    this.#log = log;
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  static async start(log: Logger): Promise<SourceWindows> {
    const windows = new SourceWindows(log);
    windows.#server.listen(0, "127.0.0.1");
    await once(windows.#server, "listening");
    const address = windows.#server.address();
    windows.#port = typeof address === "object" && address ? address.port : 0;
    return windows;
  }

  /** A loopback URL FFmpeg reads `url` through, valid until `release()`. */
  register(url: string): { url: string; release: () => SourceReads } {
    const token = randomUUID();
    const reads = { requests: 0, bytes: 0 };
    this.#sources.set(token, { url, reads });
    return {
      url: `http://127.0.0.1:${this.#port}/source/${token}`,
      release: () => {
        this.#sources.delete(token);
        return reads;
      },
    };
  }

  /** Runs `use` with a loopback URL for `url`; `done` gets what storage was asked for. */
  async with<T>(url: string, use: (localUrl: string) => Promise<T>, done?: (reads: SourceReads) => void): Promise<T> {
    const source = this.register(url);
    try {
      return await use(source.url);
    } finally {
      done?.(source.release());
    }
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^\/source\/([0-9a-f-]{36})$/.exec(req.url ?? "")?.[1];
    const source = token ? this.#sources.get(token) : undefined;
    if (!source) return void res.writeHead(404).end();
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "bytes=0-");
    if (!range) return void res.writeHead(416).end();
    const start = Number(range[1]);
    const lastAsked = range[2] ? Number(range[2]) : Number.POSITIVE_INFINITY;

    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      const ask = (first: number, last: number) => {
        source.reads.requests += 1;
        source.reads.bytes += last - first + 1;
        return fetchWindow(source.url, first, last, abort.signal);
      };
      let next = ask(start, Math.min(lastAsked, start + SOURCE_WINDOW_BYTES - 1));
      const first = await next;
      if (first.status === 416) return void res.writeHead(416, first.total === null ? {} : { "content-range": `bytes */${first.total}` }).end();
      if (first.status !== 206 || first.total === null) {
        // A store that ignores ranges (200) streams the whole object once; errors pass through.
        if (first.status >= 400) this.#log.warn("storage refused the source", { source: source.url, status: first.status });
        res.writeHead(first.status, first.status === 200 ? {} : { "content-type": "text/plain" });
        const body = bodyOf(first);
        if (first.status === 200 && body) await pipe(body, res);
        return void res.end();
      }
      const last = Math.min(lastAsked, first.total - 1);
      res.writeHead(206, {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        "content-length": String(last - start + 1),
        "content-range": `bytes ${start}-${last}/${first.total}`,
      });
      let window: Window = first;
      for (let from = start; from <= last; from += SOURCE_WINDOW_BYTES) {
        const following = from + SOURCE_WINDOW_BYTES;
        // Read-ahead: the next window's request is in flight while this one streams.
        next = following <= last ? ask(following, Math.min(last, following + SOURCE_WINDOW_BYTES - 1)) : Promise.resolve(window);
        next.catch(() => {}); // awaited below unless FFmpeg hangs up first
        const body = window.status === 206 ? bodyOf(window) : null;
        if (!body) throw new Error(`storage answered ${window.status} at byte ${from}`);
        await pipe(body, res);
        if (following <= last) window = await next;
      }
      res.end();
    } catch (error) {
      if (abort.signal.aborted) return; // FFmpeg closed the connection (seek or done): nothing to report.
      this.#log.warn("source read failed", { source: source.url, error: String(error) });
      // FFmpeg sees a short read and reconnects at its offset (-reconnect), or fails the task.
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    }
  }
}

/** One bounded range request, retried on network errors and 5xx (not on 4xx). */
async function fetchWindow(url: string, first: number, last: number, signal: AbortSignal): Promise<Window> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(url, { headers: { range: `bytes=${first}-${last}` }, signal });
      const total = Number(/\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1] ?? Number.NaN);
      if (response.status >= 500 && attempt < WINDOW_ATTEMPTS) {
        await response.body?.cancel();
        continue;
      }
      if (response.status !== 200 && response.status !== 206) await response.body?.cancel();
      return { status: response.status, total: Number.isFinite(total) ? total : null, response };
    } catch (error) {
      if (signal.aborted || attempt >= WINDOW_ATTEMPTS) throw error;
    }
  }
}

async function pipe(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  for await (const chunk of body) {
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) return; // leaving the loop cancels the upstream body
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
