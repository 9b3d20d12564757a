// Cron sweeps (every minute in production; the local dev stack triggers them too).
import { openDatabase } from "../db/connection.ts";
import { sweepStaleTranscodes } from "./stale-transcodes.ts";

export async function runSweeps(env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    await sweepStaleTranscodes(env, db);
  } finally {
    await close();
  }
}
