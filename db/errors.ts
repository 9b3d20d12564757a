// The one place Postgres errors are recognised, however the driver and drizzle wrap them
// (drizzle puts the driver's error in `cause`). Runtime-free: used by the Worker and scripts.

type PgError = { code?: unknown; constraint?: unknown; message?: unknown; cause?: unknown };

/** The error and the chain of its causes, a few levels deep. */
function* causes(err: unknown): Generator<PgError> {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as PgError).cause, depth++) yield e as PgError;
}

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

/** A unique violation (optionally of one constraint). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (const e of causes(err)) {
    if (e.code === UNIQUE_VIOLATION) return constraint === undefined || e.constraint === constraint;
  }
  return false;
}

/** A foreign-key violation, e.g. a row inserted while the row it points at was deleted. */
export function isForeignKeyViolation(err: unknown): boolean {
  for (const e of causes(err)) if (e.code === FOREIGN_KEY_VIOLATION) return true;
  return false;
}

// "The database cannot be reached" (so the API answers 503, try again, rather than 500, our bug).
const CONNECTION_CODES = new Set(["08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300"]);
const CONNECTION_MESSAGE =
  /connection (terminated|refused|closed|timeout)|network connection lost|websocket|socket|econnrefused|connect timed out|timeout exceeded when trying to connect|cannot connect|database check timed out/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === "string" && CONNECTION_MESSAGE.test(e.message)) return true;
  }
  return false;
}
