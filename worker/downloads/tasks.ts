// The downloadable MP4 (API.md "Playback extras": `downloadable`). One transcode task of kind
// "download" per video, made when a downloadable video becomes ready (transcode/publish.ts) or
// when its owner turns downloads on for a ready video (PATCH); the transcoder remuxes the
// published renditions into mediaKeys(id).download(token), and once that task is done the key
// is recorded on the video, which is what `playback.download` shows. Turning downloads off
// forgets the key, drops the task and deletes the file; each turn-on picks a new token, so a
// file from before can never be found again.
import { and, eq, sql } from "drizzle-orm";
import { mediaKeys } from "#contract/media-layout.ts";
import { transcodeTasks, videos } from "#db/schema.ts";
import type { DownloadSpec } from "#transcoder/chunks/task-contract.ts";
import type { Database } from "../db/connection.ts";
import { deletePrefix } from "../storage/prefix.ts";
import { markSweepWork } from "../sweeps/work-marker.ts";
import type { TaskMessage } from "../transcode/job-contract.ts";
import { enqueueTranscode } from "../transcode/queue.ts";

export const DOWNLOAD_TASK = { kind: "download", index: 0 } as const satisfies TaskMessage["task"];

const downloadRow = (videoId: string) =>
  and(eq(transcodeTasks.videoId, videoId), eq(transcodeTasks.kind, DOWNLOAD_TASK.kind), eq(transcodeTasks.index, DOWNLOAD_TASK.index));

/**
 * Queues the MP4 of a ready, downloadable video that has none yet. Idempotent: a task already
 * pending or running for the current job is left alone (true means a task was queued).
 */
export async function requestDownload(env: Env, db: Database, videoId: string): Promise<boolean> {
  const [video] = await db
    .select({ jobId: videos.jobId, plan: videos.plan, durationSeconds: videos.durationSeconds })
    .from(videos)
    .where(and(eq(videos.id, videoId), eq(videos.status, "ready"), eq(videos.downloadable, true), sql`${videos.downloadKey} is null`));
  const top = video?.plan?.ladder.rungs[0];
  if (!video?.jobId || !video.plan || !top) return false;
  const spec: DownloadSpec = {
    token: crypto.randomUUID().replaceAll("-", ""),
    rendition: top.name,
    hasAudio: video.plan.hasAudio,
    durationSeconds: video.durationSeconds ?? video.plan.durationSeconds,
  };
  // The sweep re-sends a task whose message or transcoder was lost: it must look (work-marker.ts).
  await markSweepWork(env.MEDIA);
  const queued = await db
    .insert(transcodeTasks)
    .values({ videoId, jobId: video.jobId, ...DOWNLOAD_TASK, spec })
    .onConflictDoUpdate({
      target: [transcodeTasks.videoId, transcodeTasks.kind, transcodeTasks.index],
      set: { jobId: video.jobId, spec, state: "pending", attempts: 0, result: null, slot: null, startedAt: null, updatedAt: sql`now()` },
      // Done without a key (turned off and on while it ran), or left from another job: again.
      setWhere: sql`${transcodeTasks.state} = 'done' or ${transcodeTasks.jobId} <> ${video.jobId}`,
    })
    .returning({ jobId: transcodeTasks.jobId });
  if (queued.length === 0) return false;
  await enqueueTranscode(env, { videoId, jobId: video.jobId, task: DOWNLOAD_TASK });
  return true;
}

/** Downloads turned off (the video already says so): no key, no task, no file. */
export async function stopDownloads(env: Env, db: Database, videoId: string): Promise<void> {
  await db.update(videos).set({ downloadKey: null }).where(eq(videos.id, videoId));
  // A running task then hears 410 at its next heartbeat and stops; one that still finishes has
  // its file deleted when it reports (transcode/task-dispatch.ts).
  await db.delete(transcodeTasks).where(downloadRow(videoId));
  await deletePrefix(env.MEDIA, mediaKeys(videoId).downloadPrefix);
}

/** A download task that cannot succeed: dropped, so the owner can ask again (off, then on). */
export async function abandonDownload(db: Database, message: TaskMessage, reason: string): Promise<void> {
  console.warn("download task abandoned", message.videoId, reason);
  await db.delete(transcodeTasks).where(and(downloadRow(message.videoId), eq(transcodeTasks.jobId, message.jobId)));
}

/**
 * The done task's MP4 becomes the video's download, if downloads are still on; else it is
 * deleted. The key is the one the task reports writing: after a quick off and on, the task that
 * finishes first may be the earlier one (same job, same row), and its file is as good.
 */
export async function publishDownload(env: Env, db: Database, videoId: string, jobId: string): Promise<void> {
  const [task] = await db
    .select({ result: transcodeTasks.result })
    .from(transcodeTasks)
    .where(and(downloadRow(videoId), eq(transcodeTasks.jobId, jobId), eq(transcodeTasks.state, "done")));
  const key = task?.result?.keys?.find((k) => k.startsWith(mediaKeys(videoId).downloadPrefix) && k.endsWith(".mp4"));
  if (!key) return;
  // That earlier task's file may have been deleted by the turn-off in between: make it again.
  if (!(await env.MEDIA.head(key))) {
    await db.delete(transcodeTasks).where(and(downloadRow(videoId), eq(transcodeTasks.jobId, jobId)));
    await requestDownload(env, db, videoId);
    return;
  }
  const shown = await db
    .update(videos)
    .set({ downloadKey: key, updatedAt: sql`now()` })
    .where(and(eq(videos.id, videoId), eq(videos.jobId, jobId), eq(videos.downloadable, true)))
    .returning({ id: videos.id });
  if (shown.length === 0) await env.MEDIA.delete(key);
}
