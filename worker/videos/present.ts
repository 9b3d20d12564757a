// The public shape of a video (API.md). Media URLs point at the /media route on our origin.
import type { Video } from "#contract/api.ts";
import { parseChapters } from "#contract/chapters.ts";
import { DOWNLOAD_NAME_PARAM, mediaKeys, relativeToVideo, videoPrefix } from "#contract/media-layout.ts";
import { SIGNED_MEDIA_TTL_SECONDS, signMediaPrefix } from "../media/signing.ts";
import type { ListedVideo } from "./queries.ts";

/** Where a video's media lives: a plain path when public or unlisted, a signed prefix when private. */
export async function mediaBase(env: { MEDIA_SIGNING_SECRET: string }, origin: string, video: Pick<ListedVideo, "id" | "visibility" | "removedAt" | "creator">): Promise<string> {
  // Moderated videos carry the private marker too (moderation/actions.ts): only signed URLs play, for admins.
  const hidden = video.visibility === "private" || video.removedAt !== null || video.creator.suspended;
  if (!hidden) return `${origin}/media/${videoPrefix(video.id)}`;
  // Expiry rounded to the hour so the same URL (and the browser cache) serves a whole session.
  const hour = 3600;
  const expiresAt = Math.ceil((Date.now() / 1000 + SIGNED_MEDIA_TTL_SECONDS) / hour) * hour;
  return `${origin}/media/${await signMediaPrefix(env.MEDIA_SIGNING_SECRET, video.id, expiresAt)}/${videoPrefix(video.id)}`;
}

// Media is only ever served under the video's own prefix: a stored key elsewhere (bad data)
// is not published rather than failing the whole response. Module functions, not closures made
// per video: every listed video is presented, 20 to a page (issue #12, bench/api/profile.ts).
const ownKey = (id: string, key: string | null) => (key?.startsWith(videoPrefix(id)) ? key : null);
const relativeUrl = (id: string, base: string, key: string | null) => {
  const own = ownKey(id, key);
  return own ? base + relativeToVideo(id, own) : null;
};

export function presentVideo(video: ListedVideo, base: string): Video {
  const id = video.id;
  return {
    id: video.id,
    title: video.title,
    description: video.description,
    visibility: video.visibility,
    status: video.removedAt !== null ? "removed" : video.status,
    playable: video.playable,
    progress: video.progress,
    failureReason: video.failureReason,
    durationSeconds: video.durationSeconds,
    width: video.width,
    height: video.height,
    viewCount: video.viewCount,
    likeCount: video.likeCount,
    commentsEnabled: video.commentsEnabled,
    chapters: parseChapters(video.description, video.durationSeconds),
    createdAt: video.createdAt.toISOString(),
    publishAt: video.publishAt?.toISOString() ?? null,
    creator: { id: video.creator.id, displayName: video.creator.displayName },
    playback: video.playable
      ? {
          hls: base + relativeToVideo(id, ownKey(id, video.masterKey) ?? mediaKeys(video.id).master),
          poster: relativeUrl(id, base, video.posterKey),
          storyboard: relativeUrl(id, base, video.storyboardKey),
          thumbnails: (video.thumbnailKeys ?? []).flatMap((key) => relativeUrl(id, base, key) ?? []),
          // The title names the saved file (/media reads no database: media/download-name.ts).
          download: video.downloadable && ownKey(id, video.downloadKey)
            ? `${relativeUrl(id, base, video.downloadKey)}?${new URLSearchParams({ [DOWNLOAD_NAME_PARAM]: video.title })}`
            : null,
        }
      : null,
  };
}

export type PresentedVideo = ReturnType<typeof presentVideo>;
