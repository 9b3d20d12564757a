// Keyset pagination with opaque cursors: the cursor is the sort key of the last item served.
import { z } from "zod";
import { badRequest } from "../http/problem.ts";
import { parseWith } from "../http/validate.ts";

export const pageQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(24),
});

export function encodeCursor(values: (string | number)[]): string {
  return btoa(JSON.stringify(values)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    const json = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    return parseWith(schema, json);
  } catch {
    throw badRequest("The cursor is not valid; start from the first page.", [{ path: "cursor", message: "invalid cursor" }]);
  }
}

export const timeCursor = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);
export const scoreCursor = z.tuple([z.number(), z.uuid()]);
