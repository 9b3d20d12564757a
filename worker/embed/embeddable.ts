// Which videos other sites may embed: what an anonymous viewer may watch (public or unlisted,
// past uploading). Private videos are never embeddable, even for their owner.
import { canView } from "../videos/access.ts";
import type { VideoWithCreator } from "../videos/queries.ts";

export const isEmbeddable = (video: VideoWithCreator): boolean => video.visibility !== "private" && canView(video, null);
