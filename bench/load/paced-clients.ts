// Open-loop clients with independent clocks: each client sends one request per period, starting
// at a random phase, over its own keep-alive connection, so arrivals spread over the period the
// way independent viewers' do. (autocannon's `overallRate` fires every connection's request at
// the same instant: 50 connections at 1 req/s each made a burst of 50 every second, and a ping
// then took 30 ms at p50 where one connection took 2 ms — the bench measured its own bursts.)
import http from "node:http";

export type PacedRequest = { route: string; method: "GET" | "POST"; path: string; headers?: Record<string, string>; body?: string };
export type PacedClient = { periodMs: number; next: (n: number) => PacedRequest; onResponse?: (status: number, request: PacedRequest) => void };
export type PacedResult = { byRoute: Map<string, number[]>; requests: number; failed: number; seconds: number };

function send(agent: http.Agent, origin: URL, req: PacedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.path, agent, headers: { ...req.headers, ...(req.body ? { "content-length": Buffer.byteLength(req.body) } : {}) } },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.setTimeout(30_000, () => r.destroy(new Error("timeout")));
    r.end(req.body);
  });
}

/** Runs every client for `seconds`; latency is from a request's send to its last byte. */
export async function runPaced(originUrl: string, clients: PacedClient[], seconds: number): Promise<PacedResult> {
  const origin = new URL(originUrl);
  const byRoute = new Map<string, number[]>();
  let requests = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let due = started + Math.random() * client.periodMs;
      try {
        for (let n = 0; due < end; n++, due += client.periodMs) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const req = client.next(n);
          const sent = performance.now();
          try {
            const status = await send(agent, origin, req);
            const ms = performance.now() - sent;
            requests += 1;
            if (status >= 400) failed += 1;
            client.onResponse?.(status, req);
            const list = byRoute.get(req.route) ?? [];
            list.push(ms);
            byRoute.set(req.route, list);
          } catch {
            requests += 1;
            failed += 1;
          }
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return { byRoute, requests, failed, seconds: (performance.now() - started) / 1000 };
}
