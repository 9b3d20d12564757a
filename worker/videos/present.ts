// The public shape of a video (API.md). Media URLs point at the /media route on our origin.
import type { VideoWithCreator } from "./queries.ts";

export function mediaBase(origin: string, videoId: string): string {
  return `${origin}/media/videos/${videoId}/`;
}

export function presentVideo(video: VideoWithCreator, origin: string, base = mediaBase(origin, video.id)) {
  const relative = (key: string | null) => (key ? base + key.replace(`videos/${video.id}/`, "") : null);
  return {
    id: video.id,
    title: video.title,
    description: video.description,
    visibility: video.visibility,
    status: video.status,
    playable: video.playable,
    progress: video.progress,
    failureReason: video.failureReason,
    durationSeconds: video.durationSeconds,
    width: video.width,
    height: video.height,
    viewCount: video.viewCount,
    createdAt: video.createdAt.toISOString(),
    creator: { id: video.creator.id, displayName: video.creator.displayName },
    playback: video.playable
      ? { hls: relative(video.masterKey ?? `videos/${video.id}/master.m3u8`), poster: relative(video.posterKey), storyboard: relative(video.storyboardKey) }
      : null,
  };
}

export type PresentedVideo = ReturnType<typeof presentVideo>;
