// A Durable Object per key (client address or account) counting attempts in a fixed window.
// One object per key gives a single, strongly consistent counter at the edge.
import { DurableObject } from "cloudflare:workers";

type WindowState = { start: number; count: number; windowMs: number };

export type RateDecision = { allowed: boolean; remaining: number; retryAfterSeconds: number };

export class RateLimiter extends DurableObject<Env> {
  async hit(limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    let state = (await this.ctx.storage.get<WindowState>("window")) ?? { start: now, count: 0, windowMs };
    if (now - state.start >= windowMs) state = { start: now, count: 0, windowMs };
    state.count += 1;
    await this.ctx.storage.put("window", state);
    // Clean up idle keys so storage does not grow with every address ever seen.
    await this.ctx.storage.setAlarm(state.start + windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((state.start + windowMs - now) / 1000));
    return { allowed: state.count <= limit, remaining: Math.max(0, limit - state.count), retryAfterSeconds };
  }

  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    const state = await this.ctx.storage.get<WindowState>("window");
    if (!state || Date.now() >= state.start + state.windowMs) await this.ctx.storage.deleteAll();
  }
}
