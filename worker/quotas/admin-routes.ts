// PATCH /api/admin/users/:id/quota (docs/api-additions.md): an admin sets or clears (null) a
// user's storage and daily upload quota overrides. The change is recorded in the moderation log
// (who, when, old → new) in the same transaction. Its own sub-app; the moderation routes under
// /api/admin live in worker/moderation.
import { Hono } from "hono";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { users } from "#db/schema.ts";
import { updateQuotaSchema } from "#contract/quotas.ts";
import type { AppEnv } from "../context.ts";
import { requireRole } from "../auth/guards.ts";
import { notFound } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";
import { logAction } from "../moderation/report-queries.ts";
import { defaultQuota } from "./quota.ts";

export const adminQuotaRoutes = new Hono<AppEnv>();

type Override = number | string | null;

/** "storageBytes: default (53687091200) → 1000": one sent field, null meaning the default. */
function change(field: string, before: Override, after: Override, fallback: number): string {
  const show = (v: Override) => (v === null ? `default (${fallback})` : String(v));
  return `${field}: ${show(before)} → ${show(after)}`;
}

adminQuotaRoutes.patch("/users/:id/quota", async (c) => {
  const admin = requireRole(c, "admin");
  const id = z.uuid().safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such user.");
  const input = await readJson(c, updateQuotaSchema);
  const defaults = defaultQuota(c.env);
  await c.var.db.transaction(async (tx) => {
    // The old values under the row lock, so the logged "before" is what this update replaced.
    const locked = await tx.execute<{ storage_quota_bytes: string | null; daily_upload_quota: number | null }>(
      sql`select storage_quota_bytes, daily_upload_quota from ${users} where id = ${id.data} for no key update`,
    );
    const before = locked.rows[0];
    if (!before) throw notFound("No such user.");
    await tx
      .update(users)
      .set({
        ...(input.storageBytes !== undefined ? { storageQuotaBytes: input.storageBytes } : {}),
        ...(input.uploadsPerDay !== undefined ? { dailyUploadQuota: input.uploadsPerDay } : {}),
      })
      .where(eq(users.id, id.data));
    const note = [
      ...(input.storageBytes !== undefined ? [change("storageBytes", before.storage_quota_bytes, input.storageBytes, defaults.bytesLimit)] : []),
      ...(input.uploadsPerDay !== undefined ? [change("uploadsPerDay", before.daily_upload_quota, input.uploadsPerDay, defaults.uploadsPerDay)] : []),
    ].join("; ");
    await logAction(tx, { adminId: admin.id, action: "set-quota", targetKind: "creator", targetId: id.data, note });
  });
  return c.body(null, 204);
});
