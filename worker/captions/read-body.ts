// The caption body: at most `limit` bytes (a longer one is refused while it streams, 413), and
// UTF-8 text (anything else, binary included, is 422: the body arrived, its content is wrong).
import { Problem, unprocessable } from "../http/problem.ts";

export async function readCaptionBody(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Problem({ status: 413, detail: `Caption files are at most ${limit} bytes.` });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw unprocessable("Caption files are UTF-8 text.", [{ path: "(body)", message: "not valid UTF-8" }]);
  }
}
