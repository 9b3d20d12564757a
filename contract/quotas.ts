// Creator quotas (API.md "Quotas"): the shape in GET /api/me and the admin override body.
import { z } from "zod";
import type { Me } from "./api.ts";

/** `bytesUsed` sums the declared sizes of the creator's videos; `uploadsToday` counts the last 24 h. */
export type Quota = { bytesUsed: number; bytesLimit: number; uploadsToday: number; uploadsPerDay: number };

/** GET /api/me: creators also get their quota. */
export type MeWithQuota = Me & { quota?: Quota };

/** Upper bounds of an override: 1 PiB of storage, 10,000 uploads a day. */
export const STORAGE_QUOTA_MAX = 1024 ** 5;
export const DAILY_UPLOAD_QUOTA_MAX = 10_000;

/**
 * PATCH /api/admin/users/:id/quota: per-user overrides; null goes back to the default
 * (wrangler.toml [vars] STORAGE_QUOTA_BYTES, DAILY_UPLOAD_QUOTA).
 */
export const updateQuotaSchema = z
  .strictObject({
    storageBytes: z.number().int().min(0).max(STORAGE_QUOTA_MAX).nullable().optional(),
    uploadsPerDay: z.number().int().min(0).max(DAILY_UPLOAD_QUOTA_MAX).nullable().optional(),
  })
  .refine((v) => v.storageBytes !== undefined || v.uploadsPerDay !== undefined, "Send storageBytes, uploadsPerDay or both.");
