// Keyset pagination with opaque cursors, for every list: base64url(JSON) of the last item's sort
// key. Clients must not parse them. `?cursor&limit` is validated by one schema, limits from the contract.
import { z } from "zod";
import { CURSOR_MAX, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, PAGE_LIMIT_MIN } from "#contract/api.ts";
import { fromBase64Url, toBase64Url } from "../auth/encoding.ts";
import { badRequest } from "../http/problem.ts";

export const pageQuerySchema = z.object({
  cursor: z.string().min(1).max(CURSOR_MAX).optional(),
  limit: z.coerce.number().int("limit must be a whole number.").min(PAGE_LIMIT_MIN).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
});

export function encodeCursor(value: unknown): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

/** Decodes and validates a cursor (none: undefined); anything tampered with is a 400 on `cursor`. */
export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.infer<T>;
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined;
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest("The cursor is not valid; start from the first page.", [{ path: "cursor", message: "Use a nextCursor value from an earlier page." }]);
  const bytes = fromBase64Url(cursor);
  if (!bytes) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

// The sort keys of video lists.
export const timeCursor = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);
export const scoreCursor = z.tuple([z.number(), z.uuid()]);
