import { z } from "zod";

/** Path ids are UUIDs; anything else is simply not found (never a 500 from Postgres). */
export const creatorIdParam = z.uuid();

// Control characters would let a name spoof layout (newlines, bidi overrides are handled by the UI).
const noControlChars = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "Display names need at least 1 character.")
  .max(50, "Display names are at most 50 characters.")
  .refine(noControlChars, "Display names cannot contain control characters.");

export const bioSchema = z.string().trim().max(500, "Bios are at most 500 characters.");

export const becomeCreatorSchema = z.strictObject({
  displayName: displayNameSchema,
  bio: bioSchema.optional().default(""),
});

export const updateCreatorSchema = z.strictObject({
  displayName: displayNameSchema.optional(),
  bio: bioSchema.optional(),
});

export const pageQuerySchema = z.object({
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int("limit must be a whole number.").min(1).max(100).default(24),
});
