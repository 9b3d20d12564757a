// The Worker's side of the task callback contract, in miniature: a node:http server that
// verifies the HMAC signature and records every callback (heartbeat, playable, done), with
// hooks to inspect storage at a given event or to make deliveries fail.
import { createServer, type Server } from "node:http";
import { verifyCallbackSignature } from "../../../transcode-container/src/callback-signature.ts";
import { taskCallbackSchema, type TaskCallback, type TaskOutcome } from "../../../transcode-container/src/chunks/task-contract.ts";

export type RecordedEvent = { payload: TaskCallback; receivedAt: number };

type Hook = (payload: TaskCallback) => Promise<void> | void;

export class CallbackRecorder {
  readonly events: RecordedEvent[] = [];
  readonly problems: string[] = [];
  /** Per event name: how many deliveries to answer with 500 before accepting. */
  readonly failures = new Map<string, number>();
  readonly attempts = new Map<string, number>();
  /** Job ids answered with 410 Gone, as the Worker does for a task nobody wants any more. */
  readonly gone = new Set<string>();
  hooks: Hook[] = [];
  url = "";
  #server: Server | null = null;
  #secret: string;
  #waiters: (() => void)[] = [];

  constructor(secret: string) {
    this.#secret = secret;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const signature = req.headers["x-transcoder-signature"];
        const valid = await verifyCallbackSignature(this.#secret, Array.isArray(signature) ? signature[0] : signature, raw);
        if (!valid) {
          this.problems.push(`bad signature: ${String(signature)}`);
          res.writeHead(401).end();
          return;
        }
        const parsed = taskCallbackSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) {
          this.problems.push(`bad payload: ${parsed.error.message}`);
          res.writeHead(400).end();
          return;
        }
        const payload = parsed.data;
        const key = `${payload.jobId}:${payload.task.kind}:${payload.task.index}:${payload.event}`;
        this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
        if (this.gone.has(payload.jobId)) {
          res.writeHead(410).end();
          return;
        }
        const failuresLeft = this.failures.get(payload.event) ?? 0;
        if (failuresLeft > 0) {
          this.failures.set(payload.event, failuresLeft - 1);
          res.writeHead(500).end();
          return;
        }
        try {
          for (const hook of this.hooks) await hook(payload);
        } catch (error) {
          this.problems.push(`hook failed at ${payload.event}: ${String(error)}`);
        }
        this.events.push({ payload, receivedAt: Date.now() });
        res.writeHead(204).end();
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    this.url = `http://127.0.0.1:${port}/internal/transcoder/callback`;
    return this;
  }

  for(jobId: string): TaskCallback[] {
    return this.events.map((e) => e.payload).filter((p) => p.jobId === jobId);
  }

  async waitFor(
    predicate: (payload: TaskCallback) => boolean,
    timeoutMs = 60_000,
  ): Promise<RecordedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => predicate(e.payload));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`callback not received in ${timeoutMs} ms; got ${this.events.map((e) => e.payload.event).join(",")}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for a task's outcome ("done" callback). */
  async outcome(jobId: string, task: TaskCallback["task"], timeoutMs = 120_000): Promise<TaskOutcome> {
    const done = await this.waitFor(
      (p) => p.jobId === jobId && p.event === "done" && p.task.kind === task.kind && p.task.index === task.index,
      timeoutMs,
    );
    return done.payload.outcome!;
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}
