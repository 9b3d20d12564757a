// PATCH /api/admin/users/:id/quota (docs/api-additions.md): an admin sets or clears (null) a
// user's storage and daily upload quota overrides. Its own sub-app; the moderation routes under
// /api/admin live in worker/moderation.
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "#db/schema.ts";
import { updateQuotaSchema } from "#contract/quotas.ts";
import type { AppEnv } from "../context.ts";
import { requireRole } from "../auth/guards.ts";
import { notFound } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";

export const adminQuotaRoutes = new Hono<AppEnv>();

adminQuotaRoutes.patch("/users/:id/quota", async (c) => {
  requireRole(c, "admin");
  const id = z.uuid().safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such user.");
  const input = await readJson(c, updateQuotaSchema);
  const updated = await c.var.db
    .update(users)
    .set({
      ...(input.storageBytes !== undefined ? { storageQuotaBytes: input.storageBytes } : {}),
      ...(input.uploadsPerDay !== undefined ? { dailyUploadQuota: input.uploadsPerDay } : {}),
    })
    .where(eq(users.id, id.data))
    .returning({ id: users.id });
  if (updated.length === 0) throw notFound("No such user.");
  return c.body(null, 204);
});
