// Debian's pgbouncer in transaction mode in front of the local Postgres: plays Neon's pooled
// endpoint (also pgbouncer, transaction mode), so a Worker's per-request connection does not
// fork a Postgres backend. `DB_POOLER=pgbouncer` turns it on for the stack (dev, tests,
// benches) when the database is a real Postgres; PGlite has no use for it.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, waitFor } from "./ports.ts";
import { spawnManaged } from "./processes.ts";
import net from "node:net";

export type Pooler = {
  url: string;
  /** Worker variables for this pooler: it asks for a cleartext password, as Neon's proxy does. */
  workerVars: Record<string, string>;
  stop: () => Promise<void>;
};

export const poolerFromEnv = (env: NodeJS.ProcessEnv = process.env): "pgbouncer" | undefined => {
  const value = env.DB_POOLER;
  if (!value) return undefined;
  if (value !== "pgbouncer") throw new Error(`DB_POOLER must be "pgbouncer" (or unset), got "${value}"`);
  return value;
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

export async function startPgbouncer(databaseUrl: string, opts: { poolSize?: number } = {}): Promise<Pooler> {
  const target = new URL(databaseUrl);
  const dir = await mkdtemp(path.join(os.tmpdir(), "edge-video-pgbouncer-"));
  const port = await freePort();
  const ini = `[databases]
* = host=${target.hostname} port=${target.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = plain
auth_file = ${path.join(dir, "users.txt")}
pool_mode = transaction
max_client_conn = 2000
default_pool_size = ${opts.poolSize ?? 16}
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
logfile = ${path.join(dir, "pgbouncer.log")}
pidfile = ${path.join(dir, "pgbouncer.pid")}
log_connections = ${process.env.PGBOUNCER_VERBOSE ? 1 : 0}
log_disconnections = ${process.env.PGBOUNCER_VERBOSE ? 1 : 0}
`;
  await writeFile(path.join(dir, "pgbouncer.ini"), ini);
  // Cleartext password auth, like Neon's proxy: the client may send its password with the startup
  // message without waiting to be asked, and its first query with both (the Neon driver's
  // pipelineConnect "password"), so a connection costs no round trip of its own. Loopback only.
  const password = crypto.randomUUID().replaceAll("-", "");
  await writeFile(path.join(dir, "users.txt"), `"${decodeURIComponent(target.username || "postgres")}" "${password}"\n`);
  // pgbouncer refuses to run as root; it drops to the postgres user, which must read its files.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chmod(dir, 0o777);
  const proc = spawnManaged("pgbouncer", "/usr/sbin/pgbouncer", [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], {});
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitFor(async () => {
    if (exited) throw new Error(`pgbouncer exited; see ${path.join(dir, "pgbouncer.log")}`);
    return portOpen(port);
  }, "pgbouncer", 10_000, 100);
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  url.password = password;
  return {
    url: url.toString(),
    workerVars: { NEON_PIPELINE_CONNECT: "password" },
    stop: async () => {
      await proc.stop();
      if (process.env.PGBOUNCER_VERBOSE) console.log(`pgbouncer log kept in ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    },
  };
}
