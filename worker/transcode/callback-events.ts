// Applies transcoder progress and results to the video row, only for the current attempt.
import { and, eq, sql } from "drizzle-orm";
import { videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import type { CallbackEvent } from "./job-contract.ts";

export async function applyCallbackEvent(db: Database, event: CallbackEvent): Promise<boolean> {
  const current = and(eq(videos.id, event.videoId), eq(videos.jobId, event.jobId), eq(videos.status, "processing"));
  const heartbeat = { heartbeatAt: sql`now()`, updatedAt: sql`now()` };
  let rows: { id: string }[];
  switch (event.event) {
    case "started":
    case "progress":
      rows = await db
        .update(videos)
        .set({
          ...heartbeat,
          progress: sql`greatest(${videos.progress}, ${Math.floor(event.progress ?? 0)})`,
          ...(event.probe
            ? { durationSeconds: event.probe.durationSeconds, width: event.probe.width, height: event.probe.height }
            : {}),
        })
        .where(current)
        .returning({ id: videos.id });
      break;
    case "playable":
      rows = await db
        .update(videos)
        .set({
          ...heartbeat,
          playable: true,
          masterKey: event.playable?.master ?? null,
          publishedAt: sql`coalesce(${videos.publishedAt}, now())`,
        })
        .where(current)
        .returning({ id: videos.id });
      break;
    case "ready": {
      const r = event.result;
      if (!r) return false;
      rows = await db
        .update(videos)
        .set({
          status: "ready",
          playable: true,
          progress: 100,
          heartbeatAt: null,
          updatedAt: sql`now()`,
          readyAt: sql`now()`,
          publishedAt: sql`coalesce(${videos.publishedAt}, now())`,
          durationSeconds: r.durationSeconds,
          width: r.width,
          height: r.height,
          masterKey: r.master,
          posterKey: r.poster,
          storyboardKey: r.storyboard.vtt,
          thumbnailKeys: r.thumbnails,
          renditions: r.renditions,
        })
        .where(current)
        .returning({ id: videos.id });
      break;
    }
    case "failed":
      rows = await db
        .update(videos)
        .set({
          status: "failed",
          heartbeatAt: null,
          updatedAt: sql`now()`,
          failureReason: event.failure?.reason ?? "The video could not be processed.",
        })
        .where(current)
        .returning({ id: videos.id });
      break;
  }
  return rows.length > 0;
}
