// A TCP relay between the Worker's database path and Postgres that makes the database look
// distant and counts round trips. `DB_LATENCY_MS=n` adds n ms to every round trip (n/2 each way,
// so a request that waits on two round trips takes 2n ms longer, as it would n ms of ping from
// the database). A round trip is counted each time the client speaks after the server has (or
// first): pipelined messages sent together are one, a reply the client waits for before its
// next message is another. Loopback only.
import net from "node:net";

export type RelayStats = { connections: number; roundTrips: number };
export type DbRelay = {
  port: number;
  latencyMs: number;
  /** `databaseUrl` with its host and port pointing at the relay. */
  url: string;
  stats: () => RelayStats;
  stop: () => Promise<void>;
};

/** The latency the environment asks for (DB_LATENCY_MS), or undefined when not set. */
export function latencyFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.DB_LATENCY_MS;
  if (text === undefined || text === "") return undefined;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 0 || ms > 5000) throw new Error(`DB_LATENCY_MS must be 0–5000 ms, got "${text}"`);
  return ms;
}

/** Delivers chunks in order, each `delayMs` after it arrived. */
function delayedWriter(socket: net.Socket, delayMs: number): (chunk: Buffer) => void {
  if (delayMs <= 0) return (chunk) => void socket.write(chunk);
  // Timers of one duration fire in the order they were set, so order is kept.
  return (chunk) => void setTimeout(() => socket.destroyed || socket.write(chunk), delayMs);
}

export async function startDbRelay(databaseUrl: string, latencyMs = 0): Promise<DbRelay> {
  const target = new URL(databaseUrl);
  const host = target.hostname || "127.0.0.1";
  const targetPort = Number(target.port || 5432);
  const oneWay = latencyMs / 2;
  const totals: RelayStats = { connections: 0, roundTrips: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    totals.connections++;
    const upstream = net.connect({ host, port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    let serverSpokeLast = true;
    const toServer = delayedWriter(upstream, oneWay);
    const toClient = delayedWriter(client, oneWay);
    client.on("data", (chunk: Buffer) => {
      // A closing Terminate ('X', length 4) waits for nothing: it is not a round trip.
      const terminateOnly = chunk.length === 5 && chunk[0] === 0x58;
      if (serverSpokeLast && !terminateOnly) totals.roundTrips++;
      serverSpokeLast = false;
      toServer(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      serverSpokeLast = true;
      toClient(chunk);
    });
    const drop = () => {
      // Let data already in flight arrive before the other side sees the close.
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      }, oneWay);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    port,
    latencyMs,
    url: url.toString(),
    stats: () => ({ ...totals }),
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
