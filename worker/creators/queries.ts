// Creator data functions (db first, no HTTP here).
import { and, eq, sql } from "drizzle-orm";
import { isUniqueViolation } from "#db/errors.ts";
import { creators, follows, users } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { listedNow } from "../discovery/listed.ts";

export type CreatorRow = typeof creators.$inferSelect;

/** The creator profile owned by a user, if any: the source of truth for "is this user a creator". */
export async function findCreatorByUserId(db: Database, userId: string): Promise<CreatorRow | null> {
  const [row] = await db.select().from(creators).where(eq(creators.userId, userId)).limit(1);
  return row ?? null;
}

export async function findCreatorById(db: Database, id: string): Promise<CreatorRow | null> {
  const [row] = await db.select().from(creators).where(eq(creators.id, id)).limit(1);
  return row ?? null;
}

export type CreatorProfile = CreatorRow & { following: boolean; videoCount: number };

/** A creator plus whether `viewerId` follows them, in one query. */
/** Videos anyone can see on the channel; an index-only count on videos_public_creator_idx. */
// Qualified by hand: drizzle prints a bare column name in single-table selects.
// The videos the channel lists (discovery/listed.ts): not removed, not scheduled for later.
export const publicVideoCount = sql<number>`(select count(*)::int from videos v where v.creator_id = "creators"."id" and ${listedNow("v")})`;

export async function getCreatorProfile(db: Database, id: string, viewerId: string | null): Promise<CreatorProfile | null> {
  const following = viewerId
    ? sql<boolean>`exists (select 1 from ${follows} where ${follows.creatorId} = ${creators.id} and ${follows.followerId} = ${viewerId})`
    : sql<boolean>`false`;
  const [row] = await db
    .select({ creator: creators, following, videoCount: publicVideoCount })
    .from(creators)
    .where(eq(creators.id, id))
    .limit(1);
  return row ? { ...row.creator, following: Boolean(row.following), videoCount: Number(row.videoCount) } : null;
}

export async function updateCreator(
  db: Database,
  id: string,
  patch: { displayName?: string; bio?: string },
): Promise<CreatorRow | null> {
  const values: { displayName?: string; bio?: string } = {};
  if (patch.displayName !== undefined) values.displayName = patch.displayName;
  if (patch.bio !== undefined) values.bio = patch.bio;
  if (Object.keys(values).length === 0) return findCreatorById(db, id);
  const [row] = await db.update(creators).set(values).where(eq(creators.id, id)).returning();
  return row ?? null;
}

export class AlreadyCreatorError extends Error {
  constructor() {
    super("user already has a creator profile");
  }
}

/**
 * Turns a user into a creator: creates the profile and raises the role from viewer in one
 * transaction (an admin keeps the admin role). Returns the profile and the user's role after.
 */
export async function becomeCreator(
  db: Database,
  userId: string,
  input: { displayName: string; bio: string },
): Promise<{ creator: CreatorRow; role: "viewer" | "creator" | "admin" }> {
  try {
    return await db.transaction(async (tx) => {
      const [creator] = await tx.insert(creators).values({ userId, displayName: input.displayName, bio: input.bio }).returning();
      if (!creator) throw new Error("insert returned no creator");
      await tx
        .update(users)
        .set({ role: "creator" })
        .where(and(eq(users.id, userId), eq(users.role, "viewer")));
      const [user] = await tx.select({ role: users.role }).from(users).where(eq(users.id, userId));
      if (!user) throw new Error("user vanished");
      return { creator, role: user.role };
    });
  } catch (err) {
    if (isUniqueViolation(err, "creators_user_id_key")) throw new AlreadyCreatorError();
    throw err;
  }
}
