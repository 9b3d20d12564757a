import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { mediaBase, presentVideo, type PresentedVideo } from "./present.ts";
import type { VideoWithCreator } from "./queries.ts";

export const requestOrigin = (c: Context<AppEnv>) => c.env.PUBLIC_ORIGIN || new URL(c.req.url).origin;

export async function videoJson(c: Context<AppEnv>, video: VideoWithCreator): Promise<PresentedVideo> {
  return presentVideo(video, await mediaBase(c.env, requestOrigin(c), video));
}
