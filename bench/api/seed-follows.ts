// Follows for the benches, written straight to the database with the Worker's own statement
// (worker/creators/follows.ts: the row and creators.follower_count together). Through the API the
// follow rate limit (30 a minute per account) silently refused all but 30 of the bench's 50.
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type { Database } from "../../worker/db/connection.ts";
import { follow } from "../../worker/creators/follows.ts";

/** Makes `followerId` follow every creator in `creatorIds`; returns how many follows are new. */
export async function seedFollows(client: pg.Client, followerId: string, creatorIds: string[]): Promise<number> {
  // node-postgres answers with the same result shape as the Neon driver (worker/db/hyperdrive.ts).
  const db = drizzle({ client }) as unknown as Database;
  let added = 0;
  for (const creatorId of creatorIds) if (await follow(db, followerId, creatorId)) added++;
  return added;
}
