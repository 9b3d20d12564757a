// A running task stops when the Worker stops acknowledging its callbacks (issue #13 finding 8c):
// its lease runs out, so after a video's deletion nothing of it can write past a known horizon.
// Real HTTP against a local callback endpoint whose answers the test chooses.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LATE_WRITE_HORIZON_SECONDS, TASK_LEASE_SECONDS, TaskLease } from "../../transcode-container/src/chunks/task-lease.ts";
import { TaskReporter } from "../../transcode-container/src/chunks/task-reporter.ts";
import { createLogger } from "../../transcode-container/src/log.ts";

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

/** A callback endpoint that answers `status()` to every request and counts them. */
async function endpoint(status: () => number) {
  let calls = 0;
  server = createServer((req, res) => {
    calls++;
    req.resume();
    req.on("end", () => res.writeHead(status()).end());
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, calls: () => calls };
}

function reporter(url: string, onGone: () => void) {
  const identity = { videoId: crypto.randomUUID(), jobId: crypto.randomUUID(), task: { kind: "chunk" as const, index: 0 } };
  return new TaskReporter({ url, secret: "s", heartbeatMs: 100, identity, log: createLogger({}, true), onGone });
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe("task lease", () => {
  it("the horizon covers the lease, one check interval and the in-flight write grace", () => {
    expect(LATE_WRITE_HORIZON_SECONDS).toBeGreaterThan(TASK_LEASE_SECONDS);
    const lease = new TaskLease(0, 1000);
    expect(lease.expired(1000)).toBe(false);
    expect(lease.expired(1001)).toBe(true);
    lease.renew(500);
    expect(lease.expired(1400)).toBe(false);
    lease.renew(100); // an older acknowledgement never moves the lease back
    expect(lease.expired(1501)).toBe(true);
  });

  it("no callback acknowledged (the Worker answers 503): the task is stopped when its lease runs out", async () => {
    const cb = await endpoint(() => 503);
    let goneAt = 0;
    const started = Date.now();
    const r = reporter(cb.url, () => (goneAt = Date.now()));
    r.startHeartbeat(new TaskLease(started, 600));
    expect(await until(() => goneAt > 0, 5_000)).toBe(true);
    expect(goneAt - started).toBeGreaterThanOrEqual(600);
    expect(goneAt - started).toBeLessThan(600 + 1_500); // one check interval late at most, plus slack
    expect(cb.calls()).toBeGreaterThan(2);
    // Stopped: no more heartbeats.
    const after = cb.calls();
    await new Promise((r) => setTimeout(r, 300));
    expect(cb.calls()).toBe(after);
  });

  it("acknowledged heartbeats keep the lease; a 410 stops the task at once", async () => {
    let answer = 204;
    const cb = await endpoint(() => answer);
    let gone = 0;
    const r = reporter(cb.url, () => gone++);
    r.startHeartbeat(new TaskLease(Date.now(), 600));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(gone).toBe(0);
    answer = 410;
    expect(await until(() => gone > 0, 1_000)).toBe(true);
    r.stopHeartbeat();
  });
});
