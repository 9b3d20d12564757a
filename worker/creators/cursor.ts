// Opaque keyset cursors: base64url(JSON) of the last row's sort key. Clients must not parse them.
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "../auth/encoding.ts";
import { badRequest } from "../http/problem.ts";

export function encodeCursor(value: unknown): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

/** Decodes and validates a cursor; anything tampered with is a 400 on `cursor`. */
export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.infer<T> {
  const invalid = () => badRequest("The cursor is not valid.", [{ path: "cursor", message: "Use a nextCursor value from an earlier page." }]);
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
