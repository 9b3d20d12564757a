// `npm run db:migrate`: applies migrations to DATABASE_URL.
import { applyMigrations } from "../db/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/edge_video). `npm run dev` migrates its own database.");
  process.exit(1);
}
await applyMigrations(url);
console.log("migrations applied");
