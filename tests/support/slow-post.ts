// A POST over a raw socket whose chunked body trickles out (64 KiB every 10 ms, up to 8 MiB):
// how many bytes had been sent when the answer began shows whether the server refused the body
// early or took all of it first. A client's own buffering (fetch sends the whole body before it
// reads the answer) would hide that.
import net from "node:net";

export type SlowPostResult = { statusLine: string; bytesSent: number; ms: number };

/** `declared`: send a Content-Length of totalBytes instead of a chunked body. */
export function slowPost(origin: string, pathname: string, headers: Record<string, string>, opts: { totalBytes?: number; declared?: boolean } = {}): Promise<SlowPostResult> {
  const totalBytes = opts.totalBytes ?? 8 * 1024 * 1024;
  const framing = opts.declared ? { "content-length": String(totalBytes) } : { "transfer-encoding": "chunked" };
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const started = Date.now();
    let bytesSent = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (statusLine: string) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      socket.destroy();
      resolve({ statusLine, bytesSent, ms: Date.now() - started });
    };
    socket.on("connect", () => {
      const head = Object.entries({ host: `${hostname}:${port}`, ...framing, "content-type": "application/json", ...headers });
      socket.write(`POST ${pathname} HTTP/1.1\r\n${head.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
      timer = setInterval(() => {
        if (bytesSent >= totalBytes) {
          clearInterval(timer);
          if (!opts.declared) socket.write("0\r\n\r\n");
          return;
        }
        if (opts.declared) socket.write(chunk);
        else socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString("latin1")}\r\n`, "latin1");
        bytesSent += chunk.length;
      }, 10);
    });
    socket.once("data", (data) => settle(data.toString("latin1").split("\r\n")[0]!));
    socket.on("error", (error) => settle(`error: ${error.message}`));
    socket.on("close", () => settle("closed without an answer"));
  });
}
