// The caption body: at most `limit` bytes (a longer one is refused while it streams, 413), and
// UTF-8 text (anything else, binary included, is 422: the body arrived, its content is wrong).
import { unprocessable } from "../http/problem.ts";
import { readLimitedBytes } from "../http/validate.ts";

export async function readCaptionBody(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const bytes = await readLimitedBytes(request, limit, `Caption files are at most ${limit} bytes.`);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unprocessable("Caption files are UTF-8 text.", [{ path: "(body)", message: "not valid UTF-8" }]);
  }
}
