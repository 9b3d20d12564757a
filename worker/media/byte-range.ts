// The Range request header as RFC 9110 §14 defines it, for one representation of unknown size.
// We answer one range (206) and ignore what we may ignore (§14.2): other units, syntax errors
// and multiple ranges get the whole file (200). What is left is a single range, which storage
// either satisfies or reports as unsatisfiable (416 with `Content-Range: bytes */<size>`).

/** What to do with a request's Range header. */
export type RangeRequest =
  | { kind: "none" }
  | { kind: "unsatisfiable" }
  | { kind: "range"; range: { offset: number; length?: number } | { suffix: number } };

// range-spec = int-range / suffix-range; int-range = first-pos "-" [ last-pos ] (digits only).
const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;

export function parseRange(header: string | null | undefined): RangeRequest {
  if (!header) return { kind: "none" };
  const eq = header.indexOf("=");
  // range-unit is case-insensitive; any other unit is ignored.
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return { kind: "none" };
  // range-set = 1#range-spec: a comma list, empty elements and optional whitespace allowed.
  const specs = header
    .slice(eq + 1)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (specs.length !== 1) return { kind: "none" }; // invalid, or several ranges: the whole file
  const spec = specs[0]!;
  const suffix = SUFFIX_RANGE.exec(spec);
  if (suffix) {
    const length = Number(suffix[1]);
    // A suffix of zero bytes selects nothing (§14.1.1); a huge one selects the whole file.
    if (length === 0) return { kind: "unsatisfiable" };
    return { kind: "range", range: { suffix: Math.min(length, Number.MAX_SAFE_INTEGER) } };
  }
  const int = INT_RANGE.exec(spec);
  if (!int) return { kind: "none" };
  const first = Number(int[1]);
  // Beyond 2^53 no stored object is that long: the range cannot overlap it.
  if (!Number.isSafeInteger(first)) return { kind: "unsatisfiable" };
  if (int[2] === "") return { kind: "range", range: { offset: first } };
  const last = Number(int[2]);
  if (last < first) return { kind: "none" }; // last-pos < first-pos is invalid: ignored
  const length = Number.isSafeInteger(last) ? last - first + 1 : undefined;
  return { kind: "range", range: length === undefined ? { offset: first } : { offset: first, length } };
}

/** R2 reports a range past the object's end with this error (code 10039). */
export function isUnsatisfiableRangeError(error: unknown): boolean {
  return error instanceof Error && /range is not satisfiable|\(10039\)/i.test(error.message);
}
