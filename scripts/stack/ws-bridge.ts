// WebSocket→TCP bridge: lets the Neon serverless driver inside workerd reach a local Postgres
// (or PGlite) the way it reaches Neon's WebSocket proxy in production. Loopback targets only.
import net from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export type Bridge = { port: number; proxy: string; stop: () => Promise<void> };

const loopback = new Set(["127.0.0.1", "localhost", "::1"]);

export async function startWsBridge(port = 0): Promise<Bridge> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  const sockets = new Set<net.Socket>();
  wss.on("connection", (ws: WebSocket, req) => {
    const address = new URL(req.url ?? "/", "http://bridge").searchParams.get("address") ?? "";
    const [host, portText] = address.split(/:(?=\d+$)/);
    if (!host || !loopback.has(host) || !portText) {
      ws.close(1008, "bad target");
      return;
    }
    const tcp = net.connect({ host, port: Number(portText) });
    sockets.add(tcp);
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;
    tcp.on("connect", () => {
      connected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    const terminate = watchForTerminate(() => tcp.end());
    ws.on("message", (data: Buffer) => {
      if (connected) tcp.write(data);
      else pending.push(data);
      terminate(data);
    });
    tcp.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk));
    const close = () => {
      sockets.delete(tcp);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    tcp.on("error", close);
    tcp.on("close", close);
    ws.on("close", close);
    ws.on("error", close);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const actual = (wss.address() as net.AddressInfo).port;
  return {
    port: actual,
    proxy: `127.0.0.1:${actual}`,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * Follows the client's Postgres message stream and calls `onTerminate` after a Terminate ('X')
 * message. Postgres closes the connection itself then; PGlite's socket server does not, and the
 * driver waits for that close, which would leave every connection open.
 */
function watchForTerminate(onTerminate: () => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let startupDone = false;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!startupDone) {
        // Startup, SSL and cancel requests: int32 length (including itself), no type byte.
        if (buffer.length < 4) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.length >= 8 ? buffer.readInt32BE(4) : 0;
        buffer = buffer.subarray(length);
        if (code === 196608) startupDone = true; // protocol 3.0 startup; SSL requests come before it
        continue;
      }
      if (buffer.length < 5) return;
      const type = buffer[0]!;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      buffer = buffer.subarray(1 + length);
      if (type === 0x58) onTerminate();
    }
  };
}
