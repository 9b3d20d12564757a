import { env, SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users, videos, creators } from "#db/schema.ts";
import { app } from "#worker/app.ts";
import { openDatabase } from "#worker/db/connection.ts";

describe("foundation", () => {
  it("GET /api/health checks the database and answers ok", async () => {
    const res = await SELF.fetch("http://example.com/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("GET /api/health answers 503 problem+json when the database is down", async () => {
    const ctx = createExecutionContext();
    const downEnv = { ...env, DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nothing" };
    const res = await app.fetch(new Request("http://example.com/api/health"), downEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { status: number; title: string; detail: string };
    expect(body).toMatchObject({ status: 503, title: "Service Unavailable" });
  });

  it("GET /api/health answers 503 problem+json when the database behind Hyperdrive is down", async () => {
    const ctx = createExecutionContext();
    const down = { connectionString: "postgresql://postgres:x@127.0.0.1:1/nothing" } as unknown as Hyperdrive;
    const res = await app.fetch(new Request("http://example.com/api/health"), { ...env, NEON_WS_PROXY: "", HYPERDRIVE: down }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  // The suite's own env goes through the Neon driver; without NEON_WS_PROXY, its HYPERDRIVE binding.
  for (const [path, dbEnv] of [["the Neon driver", env], ["Hyperdrive (pipelined node-postgres)", { ...env, NEON_WS_PROXY: "" }]] as const) {
    it(`writes and reads Postgres through ${path}`, async () => {
      const { db, close } = openDatabase(dbEnv);
      try {
        const email = `neon-${crypto.randomUUID()}@example.com`;
        const [row] = await db.insert(users).values({ email, passwordHash: "x" }).returning();
        const [back] = await db.select().from(users).where(eq(users.id, row!.id));
        expect(back?.email).toBe(email);
        // A transaction runs over the same driver.
        await db.transaction(async (tx) => {
          await tx.update(users).set({ role: "creator" }).where(eq(users.id, row!.id));
        });
        const [after] = await db.execute<{ role: string }>(sql`select role from users where id = ${row!.id}`).then((r) => r.rows);
        expect(after?.role).toBe("creator");
      } finally {
        await close();
      }
    });
  }

  it("through Hyperdrive a transaction has the pipelined connection to itself: a query issued meanwhile is not swept into it", async () => {
    const { db, close } = openDatabase({ ...env, NEON_WS_PROXY: "" });
    const inside = `tx-${crypto.randomUUID()}@example.com`;
    const outside = `outer-${crypto.randomUUID()}@example.com`;
    try {
      let entered!: () => void;
      let proceed!: () => void;
      const holding = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (proceed = resolve));
      const rolledBack = db
        .transaction(async (tx) => {
          await tx.insert(users).values({ email: inside, passwordHash: "x" });
          entered();
          await gate;
          throw new Error("roll back");
        })
        .catch((err: Error) => err.message);
      await holding;
      // Issued while the transaction is open; it must run after the rollback, not inside it.
      const outer = db.insert(users).values({ email: outside, passwordHash: "x" }).execute();
      proceed();
      expect(await rolledBack).toBe("roll back");
      await outer;
    } finally {
      await close();
    }
    const check = openDatabase(env);
    try {
      const rows = await check.db.execute<{ email: string }>(sql`select email from users where email in (${inside}, ${outside})`);
      expect(rows.rows.map((r) => r.email)).toEqual([outside]);
    } finally {
      await check.close();
    }
  });

  it("unknown API routes are problem+json 404s", async () => {
    const res = await SELF.fetch("http://example.com/api/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("pages are rendered by React Router", async () => {
    const res = await SELF.fetch("http://example.com/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("Edge");
    // Security headers: a CSP whose nonce is on every inline script, and no framing.
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inline.length).toBeGreaterThan(0);
    for (const [, attributes] of inline) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    // A fresh nonce per response.
    const again = await SELF.fetch("http://example.com/");
    expect(again.headers.get("content-security-policy")).not.toBe(csp);
    await again.body?.cancel();
  });

  it("API responses are not sniffed or cached by shared caches", async () => {
    const res = await SELF.fetch("http://example.com/api/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("a message on the transcode queue reaches the consumer, which leases the video and has the transcoder probe it", async () => {
    const { db, close } = openDatabase(env);
    try {
      const [user] = await db.insert(users).values({ email: `q-${crypto.randomUUID()}@example.com`, passwordHash: "x", role: "creator" }).returning();
      const [creator] = await db.insert(creators).values({ userId: user!.id, displayName: "Queue test" }).returning();
      const [video] = await db
        .insert(videos)
        .values({ creatorId: creator!.id, title: "queued", status: "queued", queuedAt: new Date() })
        .returning();
      await env.TRANSCODE_QUEUE.send({ videoId: video!.id, reason: "upload" });

      // Real delivery: the consumer leases the job and asks the transcoder process (signed) to
      // probe the source. This suite has no storage behind the presigned URL, so the probe
      // reports the source unreachable (our side) and the video goes back to the queue.
      let leased: typeof video | undefined;
      for (let i = 0; i < 100 && !(leased?.jobId && leased.status === "queued"); i++) {
        await new Promise((r) => setTimeout(r, 200));
        [leased] = await db.select().from(videos).where(eq(videos.id, video!.id));
      }
      expect(leased?.attempt).toBeGreaterThanOrEqual(1);
      expect(leased?.jobId).toBeTruthy();
      expect(leased?.status).toBe("queued");
      expect(leased?.plan).toBeNull();
    } finally {
      await close();
    }
  });
});
