// The Hyperdrive path's socket sends each flight of protocol messages as one write
// (worker/db/coalescing-socket.ts): node-postgres writes parse, bind, describe, execute and sync
// separately. Counted on the Workers socket under it, against real Postgres through the binding.
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import * as pgCloudflare from "pg-cloudflare";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "#worker/db/connection.ts";

type Proto = { write: (...args: unknown[]) => boolean };
const proto = (pgCloudflare as unknown as { CloudflareSocket: { prototype: Proto } }).CloudflareSocket.prototype;
const original = proto.write;
let writes = 0;

beforeEach(() => {
  writes = 0;
  proto.write = function (this: unknown, ...args: unknown[]) {
    writes++;
    return original.apply(this, args);
  };
});
afterEach(() => void (proto.write = original));

describe("the Hyperdrive connection's writes", () => {
  it("a query's messages go out as one write, and pipelined queries answer in order", async () => {
    const { db, close } = openDatabase({ ...env, NEON_WS_PROXY: "" });
    try {
      // The connection's setup first, so the count below is the query's alone.
      await db.execute(sql`select 1`);
      const before = writes;
      const one = await db.execute(sql`select ${"only"}::text as v`);
      expect(one.rows).toEqual([{ v: "only" }]);
      expect(writes - before).toBe(1);

      // Issued together: each answer belongs to its own statement.
      const many = await Promise.all(Array.from({ length: 8 }, (_, i) => db.execute(sql`select ${i}::int as n, ${"x".repeat(i * 1000)}::text as pad`)));
      expect(many.map((r) => r.rows[0]!.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(many.map((r) => (r.rows[0]!.pad as string).length)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);

      // An error stays with its statement; the connection goes on.
      const failed = await db.execute(sql`select 1/0`).then(() => undefined, (err: Error) => err);
      expect(String((failed?.cause as Error | undefined)?.message)).toMatch(/division by zero/);
      expect((await db.execute(sql`select 2 as two`)).rows).toEqual([{ two: 2 }]);
    } finally {
      await close();
    }
  });
});
