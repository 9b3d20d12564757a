// Recognises "the database cannot be reached" among errors, so the API can answer 503 (try again)
// instead of 500 (our bug) while Postgres is down.
const PG_CONNECTION_CODES = new Set(["08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300"]);
const MESSAGE = /connection (terminated|refused|closed|timeout)|network connection lost|websocket|socket|econnrefused|connect timed out|timeout exceeded when trying to connect|cannot connect|database check timed out/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && PG_CONNECTION_CODES.has(candidate.code)) return true;
    if (typeof candidate.message === "string" && MESSAGE.test(candidate.message)) return true;
    e = candidate.cause;
  }
  return false;
}
