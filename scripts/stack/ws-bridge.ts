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
    ws.on("message", (data: Buffer) => (connected ? tcp.write(data) : pending.push(data)));
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
