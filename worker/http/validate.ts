// Request parsing at the boundary: size limit before parsing, JSON syntax, then a zod schema.
import type { Context } from "hono";
import type { z } from "zod";
import { Problem, badRequest, zodFieldErrors } from "./problem.ts";

export const MAX_JSON_BODY_BYTES = 64 * 1024;

export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) {
    await discardBody(c.req.raw);
    throw new Problem({ status: 413, detail: `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.` });
  }
  const type = c.req.header("content-type") ?? "";
  const text = await readLimitedText(c.req.raw, MAX_JSON_BODY_BYTES);
  if (text.length > 0 && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new Problem({ status: 415, detail: "Send the body as application/json." });
  }
  let value: unknown = {};
  if (text.length > 0) {
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest("The request body is not valid JSON.");
    }
  }
  assertCleanJson(value);
  return parseWith(schema, value);
}

const MAX_DEPTH = 32;
// U+0000 cannot be stored in Postgres text, and a lone surrogate is not a character: refuse both
// rather than silently altering what the person sent.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Rejects nesting deeper than any of our bodies has and strings Postgres cannot keep. */
export function assertCleanJson(value: unknown, depth = 0, path = ""): void {
  if (depth > MAX_DEPTH) throw badRequest("The request body is nested too deeply.");
  if (typeof value === "string") {
    if (UNSTORABLE.test(value)) {
      throw badRequest("Text may not contain NUL characters or unpaired surrogates.", [{ path: path || "(body)", message: "invalid characters" }]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertCleanJson(item, depth + 1, path ? `${path}.${i}` : String(i)));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      assertCleanJson(key, depth + 1, path);
      assertCleanJson(item, depth + 1, path ? `${path}.${key}` : key);
    }
  }
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, status = 400): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Problem({ status, detail: "The request is not valid.", errors: zodFieldErrors(result.error) });
  }
  return result.data;
}

/**
 * Cancels a body we refuse without reading. Left alone, the runtime takes all of it before our
 * answer goes out (measured through wrangler dev: a 401 after the whole 8 MiB); cancelled, the
 * answer goes out at once.
 */
export async function discardBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  await request.body
    .getReader()
    .cancel()
    .catch(() => undefined);
}

/** Reads at most `limit` bytes; a chunked body that grows past it is refused (413 with `tooLarge`) without buffering it all. */
export async function readLimitedBytes(request: Request, limit: number, tooLarge = `The request body is larger than ${limit} bytes.`): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Problem({ status: 413, detail: tooLarge });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** readLimitedBytes as UTF-8 text; anything else is a 400. */
export async function readLimitedText(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const bytes = await readLimitedBytes(request, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8.");
  }
}
