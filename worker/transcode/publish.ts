// Publishes what finished tasks completed, under a lock on the video row so concurrent chunk
// completions never write an older playlist over a newer one: each rung's playlist grows over
// the contiguous prefix of finished chunks (EVENT, so playback never meets a hole), and so does
// the audio rendition's; the master goes out once the first video and audio chunks are there
// (playable), and when
// every task is done the final master, storyboard and result make the video ready.
import { asc, eq, sql } from "drizzle-orm";
import { transcodeTasks, videos } from "#db/schema.ts";
import { AUDIO_RENDITION, mediaKeys, storedObjectMetadata } from "#contract/media-layout.ts";
import { assemble, assembleAudio } from "#transcoder/chunks/assemble.ts";
import { chunkedRenditions, renderChunkedMaster } from "#transcoder/chunks/master.ts";
import { storyboardVtt } from "#transcoder/chunks/plan.ts";
import type { AudioChunkSpec, ChunkSpec } from "#transcoder/chunks/task-contract.ts";
import { FAILURE_REASONS } from "#transcoder/failures.ts";
import type { Database } from "../db/connection.ts";
import { enqueueNewVideoNotifications } from "../notifications/enqueue.ts";
import { publishedAtOnceWatchable } from "../videos/schedule.ts";
import { requestDownload } from "../downloads/tasks.ts";

/** Encoding is 0–95 %; the rest is the audio, stills and the final master. */
const ENCODE_SHARE = 95;

export async function publishProgress(env: Env, db: Database, videoId: string, jobId: string): Promise<void> {
  const madeReady = await db.transaction(async (tx): Promise<boolean> => {
    const [video] = await tx.select().from(videos).where(eq(videos.id, videoId)).for("update");
    if (!video || video.status !== "processing" || video.jobId !== jobId || !video.plan) return false;
    const plan = video.plan;
    const tasks = await tx.select().from(transcodeTasks).where(eq(transcodeTasks.videoId, videoId)).orderBy(asc(transcodeTasks.index));
    const keys = mediaKeys(videoId);
    const put = (key: string, body: string) => env.MEDIA.put(key, body, { httpMetadata: storedObjectMetadata(key) });
    const fail = (reason: string) =>
      tx.update(videos).set({ status: "failed", failureReason: reason, heartbeatAt: null, updatedAt: sql`now()` }).where(eq(videos.id, videoId));

    const chunks = tasks.filter((t) => t.kind === "chunk");
    const assembly = assemble(
      plan,
      chunks.map((c) => (c.state === "done" && c.spec ? { spec: c.spec as ChunkSpec, renditions: c.result?.renditions ?? [] } : undefined)),
    );
    if (assembly.shortChunk) {
      await fail(`${FAILURE_REASONS.corrupt} (it ends at about ${Math.round(assembly.shortChunk.startSeconds)} s)`);
      return false;
    }
    const { measured, encodedSeconds } = assembly;
    await Promise.all([...assembly.playlists].map(([rendition, text]) => put(keys.playlist(rendition), text)));

    const audio = assembleAudio(
      plan,
      tasks.filter((t) => t.kind === "audio").map((a) => (a.state === "done" && a.spec ? { spec: a.spec as AudioChunkSpec, renditions: a.result?.renditions ?? [] } : undefined)),
    );
    if (audio.playlist) await put(keys.playlist(AUDIO_RENDITION), audio.playlist);
    const stills = tasks.find((t) => t.kind === "stills");
    const stillsOut = stills?.state === "done";
    // A poster the creator chose (possibly before the stills were out) is never replaced.
    const chosenPoster = video.posterKey?.startsWith(keys.chosenPosterPrefix) ? video.posterKey : null;
    const thumbnails = (stills?.result?.keys ?? []).filter((k) => k.includes("/thumbs/"));
    const playableNow = assembly.prefix > 0 && (!plan.hasAudio || audio.prefix > 0);
    if (playableNow && !video.playable) await put(keys.master, renderChunkedMaster(plan, measured, "provisional"));
    // Followers are told through the queue (worker/notifications): nothing here waits on them.
    if (playableNow && !video.playable) await enqueueNewVideoNotifications(env, videoId);

    const ready = assembly.ended && audio.ended && stillsOut;
    if (ready) {
      const shortfall = plan.durationSeconds - encodedSeconds;
      if (shortfall > Math.max(2, plan.durationSeconds * 0.1)) {
        await fail(`${FAILURE_REASONS.corrupt} (decoded ${encodedSeconds.toFixed(1)} s of ${plan.durationSeconds.toFixed(1)} s)`);
        return false;
      }
      const chunkSpecs = chunks.map((c) => c.spec as ChunkSpec);
      await put(keys.storyboardVtt, storyboardVtt(chunkSpecs, plan.images.storyboard, encodedSeconds, (n) => `storyboard/${n}.jpg`));
      await put(keys.master, renderChunkedMaster(plan, measured, "measured"));
      await tx
        .update(videos)
        .set({
          status: "ready",
          playable: true,
          progress: 100,
          heartbeatAt: null,
          updatedAt: sql`now()`,
          readyAt: sql`now()`,
          publishedAt: publishedAtOnceWatchable,
          durationSeconds: Math.round(encodedSeconds * 1000) / 1000,
          masterKey: keys.master,
          posterKey: chosenPoster ?? keys.poster,
          storyboardKey: keys.storyboardVtt,
          thumbnailKeys: thumbnails,
          renditions: chunkedRenditions(plan, measured, keys.playlist),
        })
        .where(eq(videos.id, videoId));
      return true;
    }
    const progress = Math.floor((ENCODE_SHARE * Math.min(encodedSeconds, plan.durationSeconds)) / plan.durationSeconds);
    await tx
      .update(videos)
      .set({
        heartbeatAt: sql`now()`,
        updatedAt: sql`now()`,
        progress: sql`greatest(${videos.progress}, ${progress})`,
        // The poster and its candidates (PUT /api/videos/:id/poster { frame }) are out with the
        // stills task, which runs early: they show from then on, not only once the video is ready.
        ...(stillsOut && !video.posterKey ? { posterKey: keys.poster } : {}),
        ...(stillsOut && !video.thumbnailKeys ? { thumbnailKeys: thumbnails } : {}),
        ...(playableNow && !video.playable
          ? { playable: true, masterKey: keys.master, publishedAt: publishedAtOnceWatchable }
          : {}),
      })
      .where(eq(videos.id, videoId));
    return false;
  });
  // After the commit, so the task finds the video ready; a no-op unless downloads are on.
  if (madeReady) await requestDownload(env, db, videoId);
}
