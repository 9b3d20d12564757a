// This isolate's own copies of the cached reads it serves most, in front of the Cache API: a hit
// on one still checks the data center's current generation (one small Cache API lookup, so a
// purge anywhere in the data center applies here at once) but skips the copy's own lookup and
// the transfer of its body. Held as plain bytes — a Response belongs to the request that made it.
// Least recently used first out, within a byte budget far below the isolate's 128 MB.

/** A cached answer as plain data: status, headers (the edge cache's own included) and body. */
export type CopyData = { status: number; headers: [string, string][]; body: ArrayBuffer };

const BUDGET_BYTES = 8 * 1024 * 1024;
/** Larger answers are left to the Cache API alone. */
const LARGEST_BYTES = 512 * 1024;

const copies = new Map<string, CopyData>();
let bytes = 0;

export function forget(url: string): void {
  const old = copies.get(url);
  if (!old) return;
  copies.delete(url);
  bytes -= old.body.byteLength;
}

/** Forgets every copy (a purge here: they all belong to an old generation now). */
export function forgetAll(): void {
  copies.clear();
  bytes = 0;
}

export function remember(url: string, copy: CopyData): void {
  forget(url);
  if (copy.body.byteLength > LARGEST_BYTES) return;
  copies.set(url, copy);
  bytes += copy.body.byteLength;
  for (const [oldest] of copies) {
    if (bytes <= BUDGET_BYTES) break;
    forget(oldest);
  }
}

/** The remembered copy of `url`, now the most recently used. */
export function recall(url: string): CopyData | undefined {
  const copy = copies.get(url);
  if (copy) {
    copies.delete(url);
    copies.set(url, copy);
  }
  return copy;
}
