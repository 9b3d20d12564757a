// The Worker's HYPERDRIVE binding on one machine: wrangler dev (and the worker suite's miniflare)
// connect it straight to a local connection string (worker/db/hyperdrive.ts).

/** How the Worker reaches the database: DB_DRIVER=hyperdrive, else the Neon driver and the bridge. */
export function driverFromEnv(env: NodeJS.ProcessEnv = process.env): "neon" | "hyperdrive" {
  const value = env.DB_DRIVER || "neon";
  if (value !== "neon" && value !== "hyperdrive") throw new Error(`DB_DRIVER must be "neon" or "hyperdrive", got "${value}"`);
  return value;
}

/** Local Hyperdrive wants a password in the URL, even for a server that asks for none (trust auth). */
export function hyperdriveLocalUrl(url: string): string {
  const u = new URL(url);
  u.password ||= "local";
  return u.toString();
}
