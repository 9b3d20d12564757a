// The Hono environment shared by every sub-app: bindings plus per-request variables.
import type { Database } from "./db/connection.ts";

export type AuthUser = { id: string; role: "viewer" | "creator" | "admin"; via: "bearer" | "cookie" };

export type AppEnv = {
  Bindings: Env;
  Variables: {
    db: Database;
    user: AuthUser | null;
  };
};
