// Videos as the API answers them: one video, or a page of them with the next page's cursor.
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { encodeCursor } from "../discovery/pagination.ts";
import { isOwner } from "./access.ts";
import { mediaBase, presentVideo, type PresentedVideo } from "./present.ts";
import type { ListedVideo } from "./queries.ts";

export const requestOrigin = (c: Context<AppEnv>) => c.env.PUBLIC_ORIGIN || new URL(c.req.url).origin;

export async function videoJson(c: Context<AppEnv>, video: ListedVideo): Promise<PresentedVideo> {
  const presented = presentVideo(video, await mediaBase(c.env, requestOrigin(c), video));
  // Owner-only settings (anonymous responses, the only ones the edge caches, never carry them).
  return isOwner(video, c.var.user) ? { ...presented, downloadable: video.downloadable } : presented;
}

/** Sort keys of keyset pages over videos (the cursor holds the last item's). */
export const byPublished = (v: ListedVideo) => [v.publishedAt!.toISOString(), v.id];
export const byCreated = (v: ListedVideo) => [v.createdAt.toISOString(), v.id];

/** A full page has a next one, starting after its last item's sort key. */
export async function videoPage(c: Context<AppEnv>, list: ListedVideo[], limit: number, sortKey: (last: ListedVideo) => (string | number)[]) {
  const last = list.at(-1);
  return {
    items: await Promise.all(list.map((v) => videoJson(c, v))),
    nextCursor: list.length === limit && last ? encodeCursor(sortKey(last)) : null,
  };
}
