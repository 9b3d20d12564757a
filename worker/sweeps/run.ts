// Cron sweeps (every minute in production; the local dev stack triggers them too). The database
// is opened only when the work marker says there is something to sweep, or on the safety minute
// (work-marker.ts): an idle platform makes no database connection.
import { openDatabase } from "../db/connection.ts";
import { sweepAbandonedUploads } from "./abandoned-uploads.ts";
import { sweepDeletedMedia } from "./deleted-media.ts";
import { sweepStaleTranscodes } from "./stale-transcodes.ts";
import { refreshTrending } from "./trending.ts";
import { clearSweepWork, hasUnfinishedWork, isSafetySweepMinute, sweepWorkMarker } from "./work-marker.ts";

/** "idle" when the database was left alone (nothing to sweep), "swept" otherwise. */
export async function runSweeps(env: Env, scheduledTime = Date.now()): Promise<"idle" | "swept"> {
  // Storage-only sweeps need no database.
  const storage = sweepDeletedMedia(env.MEDIA).catch((err) => console.error("sweep failed", err));
  const marker = await sweepWorkMarker(env.MEDIA);
  if (marker === null && !isSafetySweepMinute(scheduledTime)) {
    await storage;
    return "idle";
  }
  const { db, close } = openDatabase(env);
  try {
    // Independent sweeps: one failing must not stop the other.
    const results = await Promise.allSettled([sweepStaleTranscodes(env, db), sweepAbandonedUploads(env, db), refreshTrending(db)]);
    for (const r of results) if (r.status === "rejected") console.error("sweep failed", r.reason);
    // Keep the marker while anything is unfinished: the transcode sweep must run every minute then.
    if (results.every((r) => r.status === "fulfilled") && !(await hasUnfinishedWork(db))) await clearSweepWork(env.MEDIA, marker);
  } finally {
    await close();
    await storage;
  }
  return "swept";
}
