// The Workers socket node-postgres talks through (pg-cloudflare), with its writes coalesced.
// node-postgres writes every protocol message on its own: a query is parse, bind, describe,
// execute and sync, five writes, each a separate write on the Workers socket with its own promise.
// Messages written in the same turn of the event loop go out as one write at its end, in order;
// nothing waits longer than that microtask, so pipelining and round trips are unchanged. Measured
// (bench/api/profile.ts --hyperdrive, the feed): isolate busy 5.38 → 4.83 ms per request; most of
// the socket's cost is its connect and reads, which this does not touch (docs/benchmarks.md).
import * as pgCloudflare from "pg-cloudflare";

type WriteCallback = (err?: Error | null) => void;
type Chunk = Uint8Array | string;

interface CloudflareSocketLike {
  write(data: Chunk, encodingOrCallback?: string | WriteCallback, callback?: WriteCallback): boolean;
}

// Resolved under the "workerd" export condition at run time; the package's types describe only
// the stub other runtimes get.
const { CloudflareSocket } = pgCloudflare as unknown as { CloudflareSocket: new (ssl: boolean) => CloudflareSocketLike };

export class CoalescingSocket extends CloudflareSocket {
  #pending: Uint8Array[] = [];
  #callbacks: WriteCallback[] = [];

  override write(data: Chunk, encodingOrCallback?: string | WriteCallback, callback?: WriteCallback): boolean {
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8";
    const bytes = typeof data === "string" ? Buffer.from(data, encoding) : data;
    if (bytes.length > 0) {
      if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
      this.#pending.push(bytes);
    } else if (this.#pending.length === 0) {
      // Nothing to send and nothing queued: answer as the socket would (end() writes nothing).
      return super.write(bytes, done);
    }
    if (done) this.#callbacks.push(done);
    return true;
  }

  #flush() {
    const chunks = this.#pending;
    const callbacks = this.#callbacks;
    this.#pending = [];
    this.#callbacks = [];
    if (chunks.length === 0) return;
    const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const settle = (err?: Error | null) => {
      for (const cb of callbacks) cb(err);
    };
    try {
      super.write(joined, settle);
    } catch (err) {
      // The socket went away between the write and its flush: the writers hear of it, and the
      // client through its error event, instead of an exception thrown from a microtask.
      settle(err as Error);
      (this as unknown as { emit: (event: "error", err: unknown) => void }).emit("error", err);
    }
  }
}
