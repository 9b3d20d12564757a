// FFmpeg reads a task's source from a loopback URL; this server answers each of its requests
// with one bounded window (Range: bytes=a-b from storage, a 206 for just that window), and
// fetches the following window meanwhile, so FFmpeg's next request (it reconnects at the
// offset where a window ends, -reconnect) is served from memory.
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

/**
 * 2 MiB: ~2 s of an 8 Mb/s 1080p source, several seconds of one-vCPU encoding, so the read-ahead
 * hides a storage round trip. One window per FFmpeg request, because whatever a response sends
 * beyond what FFmpeg reads ends up in the loopback socket buffers (Linux autotunes them to tens
 * of MiB) and is thrown away when FFmpeg seeks or finishes: streaming the rest of the object
 * asked storage for 5.3× the source per video (957 MiB for a 180 MB source, 25 tasks).
 */
export const SOURCE_WINDOW_BYTES = 2 * 1024 * 1024;
const WINDOW_ATTEMPTS = 3;

/** What storage was asked for on a source's behalf: requests and bytes (window sizes). */
export type SourceReads = { requests: number; bytes: number };
/** The window that follows the last one served, fetched ahead: FFmpeg usually asks for it next. */
type Ahead = { first: number; last: number; toEnd: boolean; window: Promise<Window>; abort: AbortController };
type Registered = { url: string; reads: SourceReads; ahead: Ahead | null };
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
    const source: Registered = { url, reads, ahead: null };
    this.#sources.set(token, source);
    return {
      url: `http://127.0.0.1:${this.#port}/source/${token}`,
      release: () => {
        this.#sources.delete(token);
        source.ahead?.abort.abort();
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
    const ask = (first: number, last: number, signal: AbortSignal) => {
      source.reads.requests += 1;
      source.reads.bytes += last - first + 1;
      return fetchWindow(source.url, first, last, signal);
    };
    try {
      const wanted = Math.min(lastAsked, start + SOURCE_WINDOW_BYTES - 1);
      const ahead = source.ahead;
      source.ahead = null;
      let window: Window;
      if (ahead && ahead.first === start && (ahead.last >= wanted || ahead.toEnd)) window = await ahead.window;
      else {
        ahead?.abort.abort();
        window = await ask(start, wanted, abort.signal);
      }
      if (window.status === 416) return void res.writeHead(416, window.total === null ? {} : { "content-range": `bytes */${window.total}` }).end();
      if (window.status !== 206 || window.total === null) {
        // A store that ignores ranges (200) streams the whole object once; errors pass through.
        if (window.status >= 400) this.#log.warn("storage refused the source", { source: source.url, status: window.status });
        res.writeHead(window.status, window.status === 200 ? {} : { "content-type": "text/plain" });
        const body = bodyOf(window);
        if (window.status === 200 && body) await pipe(body, res);
        return void res.end();
      }
      const last = Math.min(wanted, window.total - 1);
      res.writeHead(206, {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        "content-length": String(last - start + 1),
        "content-range": `bytes ${start}-${last}/${window.total}`,
      });
      // Read-ahead: the next window is fetched while this one streams (not tied to this
      // response: FFmpeg's next request is a new connection).
      if (last + 1 < window.total && lastAsked > last) {
        const controller = new AbortController();
        const next = Math.min(window.total - 1, last + SOURCE_WINDOW_BYTES);
        const promise = ask(last + 1, next, controller.signal);
        promise.catch(() => {});
        source.ahead = { first: last + 1, last: next, toEnd: next === window.total - 1, window: promise, abort: controller };
      }
      const body = bodyOf(window);
      if (!body) throw new Error(`storage answered ${window.status} at byte ${start}`);
      await pipe(body, res);
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
