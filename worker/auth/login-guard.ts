// One Durable Object per account (lower-cased email, whether or not the account exists) that
// decides whether a password may be tried. It replaces a hard per-account lockout, which let
// anyone lock the owner out with five wrong passwords (docs/decisions/0008-login-throttling-and-preflight.md):
// - per (account, address): a small fixed window, for one machine guessing one account;
// - per account: failures earn an exponentially growing wait between attempts, but only for
//   devices and addresses that never signed in to this account; the owner's known ones pass.
import { DurableObject } from "cloudflare:workers";

export const LOGIN_GUARD = {
  /** Attempts on one account from one address per window (successes are given back). */
  perAddressLimit: 5,
  perAddressWindowSeconds: 300,
  /** Failures on one account before unknown devices have to wait between attempts. */
  freeFailures: 5,
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  firstDelaySeconds: 2,
  maxDelaySeconds: 900,
  /** Failures are forgotten after this long without one. */
  failureMemorySeconds: 24 * 3600,
  /** How long a device or address that signed in stays known, and how many are kept. */
  knownForSeconds: 180 * 24 * 3600,
  maxKnown: 32,
} as const;

/** Hashed client identifiers: never raw addresses or device ids. */
export type LoginClient = { address: string; device: string | null };

export type LoginDecision = { allowed: true; known: boolean } | { allowed: false; retryAfterSeconds: number };

type Failures = { count: number; last: number };
type Window = { count: number; start: number };

/** The wait an unknown device must leave after the last failure, in ms (0: none). */
export function unknownDeviceDelayMs(failures: number): number {
  const over = failures - LOGIN_GUARD.freeFailures;
  if (over < 0) return 0;
  return Math.min(LOGIN_GUARD.firstDelaySeconds * 2 ** Math.min(over, 30), LOGIN_GUARD.maxDelaySeconds) * 1000;
}

export class LoginGuard extends DurableObject<Env> {
  private async load(now: number) {
    const stored = await this.ctx.storage.get<unknown>(["failures", "windows", "known"]);
    let failures = (stored.get("failures") as Failures | undefined) ?? { count: 0, last: 0 };
    if (now - failures.last > LOGIN_GUARD.failureMemorySeconds * 1000) failures = { count: 0, last: 0 };
    const windows = Object.fromEntries(
      Object.entries((stored.get("windows") as Record<string, Window> | undefined) ?? {}).filter(
        ([, w]) => now - w.start < LOGIN_GUARD.perAddressWindowSeconds * 1000,
      ),
    );
    const known = Object.fromEntries(
      Object.entries((stored.get("known") as Record<string, number> | undefined) ?? {}).filter(
        ([, seen]) => now - seen < LOGIN_GUARD.knownForSeconds * 1000,
      ),
    );
    return { failures, windows, known };
  }

  private async save(state: { failures: Failures; windows: Record<string, Window>; known: Record<string, number> }) {
    await this.ctx.storage.put(state);
    // Forget the account's state once nothing in it matters any more.
    const lastSeen = Math.max(state.failures.last, ...Object.values(state.known), ...Object.values(state.windows).map((w) => w.start));
    await this.ctx.storage.setAlarm(lastSeen + Math.max(LOGIN_GUARD.failureMemorySeconds, LOGIN_GUARD.knownForSeconds) * 1000);
  }

  /** Decides whether this client may try a password now; an allowed attempt counts as a failure until `succeeded`. */
  async attempt(client: LoginClient): Promise<LoginDecision> {
    const now = Date.now();
    const state = await this.load(now);
    const window = state.windows[client.address] ?? { count: 0, start: now };
    if (window.count >= LOGIN_GUARD.perAddressLimit) {
      return { allowed: false, retryAfterSeconds: secondsUntil(window.start + LOGIN_GUARD.perAddressWindowSeconds * 1000, now) };
    }
    const known = `a:${client.address}` in state.known || (client.device !== null && `d:${client.device}` in state.known);
    if (!known) {
      const openAt = state.failures.last + unknownDeviceDelayMs(state.failures.count);
      if (now < openAt) return { allowed: false, retryAfterSeconds: secondsUntil(openAt, now) };
    }
    state.windows[client.address] = { count: window.count + 1, start: window.start };
    state.failures = { count: state.failures.count + 1, last: now };
    await this.save(state);
    return { allowed: true, known };
  }

  /** The password was right: give the attempt back and remember the address and device. */
  async succeeded(client: LoginClient, counted: boolean): Promise<void> {
    const now = Date.now();
    const state = await this.load(now);
    if (counted) {
      const window = state.windows[client.address];
      if (window) state.windows[client.address] = { ...window, count: Math.max(0, window.count - 1) };
      state.failures = { ...state.failures, count: Math.max(0, state.failures.count - 1) };
    }
    state.known[`a:${client.address}`] = now;
    if (client.device !== null) state.known[`d:${client.device}`] = now;
    const newestFirst = Object.entries(state.known).sort(([, a], [, b]) => b - a);
    state.known = Object.fromEntries(newestFirst.slice(0, LOGIN_GUARD.maxKnown));
    await this.save(state);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const state = await this.load(now);
    if (state.failures.count === 0 && Object.keys(state.windows).length === 0 && Object.keys(state.known).length === 0) {
      await this.ctx.storage.deleteAll();
    } else {
      await this.save(state);
    }
  }
}

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));
