// Mixed load on a running stack: viewers streaming (master → variant → segments) and API clients
// browsing and posting views, then a check that every acknowledged view was counted exactly once.
import autocannon from "autocannon";
import pg from "pg";
// The Worker's own keyed hash, so the check looks up exactly the keys the consumer wrote.
import { viewerKey } from "../../worker/views/viewer-key.ts";
import { busiestWorkerdThread, cpuShares, cpuSnapshot, type CpuGroup } from "../cpu-by-process.ts";
import { runPaced, type PacedRequest } from "./paced-clients.ts";

/**
 * Closed loop by default: every connection sends its next request as soon as the last is answered,
 * so 250 connections saturate whatever serves them. `paced`: each viewer asks for one segment per
 * segment duration, as a playing hls.js does, and each API client makes one request a second, each
 * on its own clock (paced-clients.ts), so arrivals spread as independent viewers' do.
 */
export type LoadProfile = { viewers: number; apiClients: number; seconds: number; paced?: { segmentSeconds: number } };
export type LoadResult = {
  media: { requests: number; rps: number; p50: number; p99: number; failed: number };
  api: { requests: number; rps: number; p50: number; p99: number; failed: number };
  views: { acknowledged: number; stored: number; duplicates: number; viewCount: number };
  /** API latency by request kind (p50/p99 ms). */
  apiByRoute: { route: string; requests: number; p50: number; p99: number }[];
  /** Share of the machine each part used during the load (when asked for with `cpuOf`). */
  cpu?: Record<CpuGroup, number>;
  /** workerd's busiest thread (the isolate's JavaScript), % of one core. */
  workerdThread?: number;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function runLoad(
  target: { origin: string; databaseUrl: string; viewerHashSecret: string },
  video: { id: string; master: string; variant: string; segments: string[] },
  profile: LoadProfile,
  /** The bench database's name, to measure where the machine's CPU went during the load. */
  cpuOf?: { databaseName: string },
): Promise<LoadResult> {
  const mediaPaths = [video.master, video.variant, ...video.segments].map((u) => new URL(u).pathname);
  const acknowledged: string[] = [];
  let n = 0;
  const userAgent = "edge-video-load/1";
  // A view report needs the token the metadata hands out, and cannot claim more watch time than
  // has passed since it was issued: take one token and wait out the view threshold first.
  const meta = (await (await fetch(`${target.origin}/api/videos/${video.id}`)).json()) as { viewToken?: string; durationSeconds: number | null };
  if (!meta.viewToken) throw new Error("the video's metadata carries no viewToken");
  const watchedSeconds = Math.min(10, (meta.durationSeconds ?? 20) / 2);
  await new Promise((r) => setTimeout(r, watchedSeconds * 1000 + 500));
  const viewBody = JSON.stringify({ watchedSeconds, viewToken: meta.viewToken });
  const apiRequests: { route: string; method: "GET" | "POST"; path: string }[] = [
    { route: "GET /api/videos?sort=latest", method: "GET", path: "/api/videos?sort=latest&limit=12" },
    { route: "GET /api/videos/:id", method: "GET", path: `/api/videos/${video.id}` },
    { route: "POST /api/videos/:id/views", method: "POST", path: `/api/videos/${video.id}/views` },
  ];
  // Each client sends the requests in turn, one at a time, so its n-th answer is to apiRequests[n % 3].
  const latencies = apiRequests.map(() => [] as number[]);
  const cpuBefore = cpuOf && (await cpuSnapshot(cpuOf.databaseName));
  const measured = profile.paced
    ? await pacedRuns(target.origin, profile, profile.paced.segmentSeconds, mediaPaths, apiRequests, viewBody, userAgent, acknowledged, latencies)
    : await closedLoopRuns();
  const { media, apiRun } = measured;
  async function closedLoopRuns() {
    const [media, apiRun] = await Promise.all([
      autocannon({
        url: target.origin,
        connections: profile.viewers,
        duration: profile.seconds,
        requests: mediaPaths.map((path) => ({ method: "GET" as const, path })),
      }),
      autocannon({
        url: target.origin,
        connections: profile.apiClients,
        duration: profile.seconds,
        headers: { "user-agent": userAgent },
        setupClient: (client) => {
          let n = 0;
          client.on("response", (_status: number, _bytes: number, ms: number) => void latencies[n++ % apiRequests.length]!.push(ms));
        },
        requests: [
          { method: apiRequests[0]!.method, path: apiRequests[0]!.path },
          { method: apiRequests[1]!.method, path: apiRequests[1]!.path },
          {
            method: apiRequests[2]!.method,
            path: apiRequests[2]!.path,
            setupRequest: (req, context) => {
              const ip = `10.9.${(++n >> 8) & 255}.${n & 255}`;
              (context as { ip?: string }).ip = ip;
              return { ...req, body: viewBody, headers: { ...req.headers, "content-type": "application/json", "cf-connecting-ip": ip } } as typeof req;
            },
            onResponse: (status, _body, context) => {
              if (status === 202) acknowledged.push((context as { ip: string }).ip);
            },
          },
        ],
      }),
    ]);
    return {
      media: { requests: media.requests.total, rps: media.requests.average, p50: media.latency.p50, p99: media.latency.p99, failed: media.errors + media.timeouts + media.non2xx },
      apiRun: { requests: apiRun.requests.total, rps: apiRun.requests.average, p50: apiRun.latency.p50, p99: apiRun.latency.p99, failed: apiRun.errors + apiRun.timeouts + apiRun.non2xx },
    };
  }
  const cpuAfter = cpuBefore && (await cpuSnapshot(cpuOf.databaseName));
  const cpu = cpuBefore && cpuAfter && cpuShares(cpuBefore, cpuAfter);
  const workerdThread = cpuBefore && cpuAfter && busiestWorkerdThread(cpuBefore, cpuAfter);
  const apiByRoute = apiRequests.map(({ route }, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    return { route, requests: sorted.length, p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)) };
  });

  // Views are written by the queue consumer in batches; wait for the acknowledged ones to land.
  const db = new pg.Client({ connectionString: target.databaseUrl });
  await db.connect();
  try {
    const keys = await Promise.all(acknowledged.map((ip) => viewerKey(target.viewerHashSecret, null, ip)));
    let stored = 0;
    for (let i = 0; i < 120; i++) {
      const { rows } = await db.query("select count(*)::int as n from views where video_id = $1 and viewer_key = any($2)", [video.id, keys]);
      stored = rows[0].n;
      if (stored >= keys.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const dup = await db.query("select count(*)::int as n from (select viewer_key from views where video_id = $1 group by viewer_key, hour having count(*) > 1) d", [video.id]);
    const counted = await db.query("select view_count::int as c, (select count(*)::int from views where video_id = $1) as rows from videos where id = $1", [video.id]);
    return {
      media,
      api: apiRun,
      views: { acknowledged: keys.length, stored, duplicates: dup.rows[0].n, viewCount: counted.rows[0].c === counted.rows[0].rows ? counted.rows[0].c : -1 },
      apiByRoute,
      ...(cpu ? { cpu, workerdThread: workerdThread || 0 } : {}),
    };
  } finally {
    await db.end();
  }
}

/** Uploads and transcodes a short clip so the load hits real playlists and segments. */
export async function readyVideoForLoad(
  origin: string,
  helpers: {
    signUpCreator: (origin: string, name: string) => Promise<{ origin: string; token: string; userId: string }>;
    uploadAndWait: (session: { origin: string; token: string; userId: string }) => Promise<{ id: string; hls: string }>;
  },
) {
  const creator = await helpers.signUpCreator(origin, "Load creator");
  const video = await helpers.uploadAndWait(creator);
  const master = await (await fetch(video.hls)).text();
  const variantRel = master.split("\n").find((l) => l && !l.startsWith("#"))!;
  const variant = new URL(variantRel, video.hls).toString();
  const media = await (await fetch(variant)).text();
  const segments = media
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => new URL(l, variant).toString());
  const init = /URI="([^"]+)"/.exec(media)?.[1];
  if (init) segments.unshift(new URL(init, variant).toString());
  return { id: video.id, master: video.hls, variant, segments };
}

type Summary = { requests: number; rps: number; p50: number; p99: number; failed: number };

function summary(latencies: number[], run: { requests: number; failed: number; seconds: number }): Summary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const { requests, failed, seconds } = run;
  return { requests, rps: requests / seconds, p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), failed };
}

/** The paced profile: viewers and API clients each on their own clock (paced-clients.ts). */
async function pacedRuns(
  origin: string,
  profile: LoadProfile,
  segmentSeconds: number,
  mediaPaths: string[],
  apiRequests: { route: string; method: "GET" | "POST"; path: string }[],
  viewBody: string,
  userAgent: string,
  acknowledged: string[],
  latencies: number[][],
): Promise<{ media: Summary; apiRun: Summary }> {
  let addresses = 0;
  const viewer = { periodMs: segmentSeconds * 1000, next: (n: number): PacedRequest => ({ route: "media", method: "GET", path: mediaPaths[n % mediaPaths.length]! }) };
  const apiClient = {
    periodMs: 1000,
    next: (n: number): PacedRequest => {
      const request = apiRequests[n % apiRequests.length]!;
      if (request.method === "GET") return { ...request, headers: { "user-agent": userAgent } };
      const ip = `10.9.${(++addresses >> 8) & 255}.${addresses & 255}`;
      return { ...request, body: viewBody, headers: { "user-agent": userAgent, "content-type": "application/json", "cf-connecting-ip": ip } };
    },
    onResponse: (status: number, request: PacedRequest) => {
      if (status === 202 && request.headers?.["cf-connecting-ip"]) acknowledged.push(request.headers["cf-connecting-ip"]);
    },
  };
  const [media, api] = await Promise.all([
    runPaced(origin, Array.from({ length: profile.viewers }, () => viewer), profile.seconds),
    runPaced(origin, Array.from({ length: profile.apiClients }, () => apiClient), profile.seconds),
  ]);
  apiRequests.forEach(({ route }, i) => latencies[i]!.push(...(api.byRoute.get(route) ?? [])));
  return {
    media: summary(media.byRoute.get("media") ?? [], media),
    apiRun: summary([...api.byRoute.values()].flat(), api),
  };
}
