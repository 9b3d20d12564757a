// Cron sweeps (every minute in production; the local dev stack triggers them too).
import { openDatabase } from "../db/connection.ts";
import { sweepAbandonedUploads } from "./abandoned-uploads.ts";
import { sweepDeletedMedia } from "./deleted-media.ts";
import { sweepStaleTranscodes } from "./stale-transcodes.ts";
import { refreshTrending } from "./trending.ts";

export async function runSweeps(env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    // Independent sweeps: one failing must not stop the other.
    const results = await Promise.allSettled([
      sweepStaleTranscodes(env, db),
      sweepAbandonedUploads(env, db),
      refreshTrending(db),
      sweepDeletedMedia(env.MEDIA),
    ]);
    for (const r of results) if (r.status === "rejected") console.error("sweep failed", r.reason);
  } finally {
    await close();
  }
}
