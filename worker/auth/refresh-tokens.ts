// Refresh tokens: 32 random bytes handed to the client once; only their SHA-256 is stored.
// Every use rotates the token within its family; presenting an already rotated token means it
// was copied, so the whole family (including the newest token) is revoked.
import { and, eq, isNull, sql } from "drizzle-orm";
import { refreshTokens } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { sha256Base64Url, toBase64Url } from "./encoding.ts";

const TOKEN_BYTES = 32;

export function newRefreshToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
}

export const hashRefreshToken = (token: string) => sha256Base64Url(token);

/** Refresh tokens are 43 base64url characters; anything else is not worth a query. */
export const looksLikeRefreshToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

type Executor = Pick<Database, "insert">;

/** Stores a new token; without a familyId it starts a new family (a new sign-in). */
export async function issueRefreshToken(
  db: Executor,
  input: { userId: string; ttlSeconds: number; familyId?: string },
): Promise<{ token: string; familyId: string; expiresAt: Date }> {
  const token = newRefreshToken();
  const familyId = input.familyId ?? crypto.randomUUID();
  const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
  await db.insert(refreshTokens).values({ userId: input.userId, familyId, tokenHash: await hashRefreshToken(token), expiresAt });
  return { token, familyId, expiresAt };
}

export type RotationResult =
  | { kind: "rotated"; userId: string; token: string; familyId: string; expiresAt: Date }
  | { kind: "invalid" }
  | { kind: "reused"; familyId: string };

/**
 * Exchanges a refresh token for a new one in the same family. The row is locked so two
 * concurrent uses of one token cannot both succeed: the second sees it rotated (reuse).
 */
export async function rotateRefreshToken(db: Database, presented: string, ttlSeconds: number): Promise<RotationResult> {
  if (!looksLikeRefreshToken(presented)) return { kind: "invalid" };
  const tokenHash = await hashRefreshToken(presented);
  return db.transaction(async (tx): Promise<RotationResult> => {
    const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).for("update");
    if (!row || row.revokedAt) return { kind: "invalid" };
    if (row.rotatedAt) {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      return { kind: "reused", familyId: row.familyId };
    }
    if (row.expiresAt.getTime() <= Date.now()) return { kind: "invalid" };
    await tx.update(refreshTokens).set({ rotatedAt: sql`now()` }).where(eq(refreshTokens.id, row.id));
    const next = await issueRefreshToken(tx, { userId: row.userId, familyId: row.familyId, ttlSeconds });
    return { kind: "rotated", userId: row.userId, ...next };
  });
}

/** Revokes the family the token belongs to (logout). Unknown tokens are ignored. */
export async function revokeRefreshTokenFamily(db: Database, presented: string): Promise<boolean> {
  if (!looksLikeRefreshToken(presented)) return false;
  const tokenHash = await hashRefreshToken(presented);
  const result = await db.execute(sql`
    update ${refreshTokens} set revoked_at = now()
    where family_id = (select family_id from ${refreshTokens} where token_hash = ${tokenHash})
      and revoked_at is null`);
  return (result.rowCount ?? 0) > 0;
}
