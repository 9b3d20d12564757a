// cork()/uncork() for the Workers socket node-postgres writes to (pg-cloudflare's has neither).
// node-postgres corks its stream around the messages of one extended-protocol query (Parse, Bind,
// Describe, Execute, Sync); without cork each became a write of its own to the socket, five
// native writes and their promises per statement (issue #12, bench/api/profile.ts --hyperdrive).

type Callback = (err?: Error) => void;
export type WritableSocket = { write: (data: Uint8Array, encoding?: string | Callback, callback?: Callback) => boolean; cork?: () => void; uncork?: () => void };

/** Makes `socket` collect writes between cork() and uncork() and send them as one. */
export function corkable(socket: WritableSocket): void {
  let held: { chunks: Uint8Array[]; callbacks: Callback[] } | null = null;
  const write = socket.write.bind(socket);
  socket.cork = () => void (held ??= { chunks: [], callbacks: [] });
  socket.uncork = () => {
    const batch = held;
    held = null;
    if (!batch || batch.chunks.length === 0) return;
    const joined = batch.chunks.length === 1 ? batch.chunks[0]! : Buffer.concat(batch.chunks);
    write(joined, (err?: Error) => batch.callbacks.forEach((cb) => cb(err)));
  };
  socket.write = (data, encoding, callback) => {
    if (!held) return write(data, encoding as never, callback);
    if (typeof data === "string") return write(data, encoding as never, callback);
    held.chunks.push(data);
    const cb = typeof encoding === "function" ? encoding : callback;
    if (cb) held.callbacks.push(cb);
    return true;
  };
}
