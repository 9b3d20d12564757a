// A downloadable MP4 is saved, not played in the tab: `Content-Disposition: attachment` named
// after the title its URL carries (present.ts adds it; downloadDisposition cleans it), on full,
// partial and not-modified answers alike.
import type { MiddlewareHandler } from "hono";
import { DOWNLOAD_NAME_PARAM, downloadDisposition, isDownloadPath, parseServedKey } from "#contract/media-layout.ts";
import type { AppEnv } from "../context.ts";
import { requestedKey } from "./request-key.ts";

export const downloadName: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const served = parseServedKey(requestedKey(c.req.path).key);
  if (!served || !isDownloadPath(served.path) || ![200, 206, 304].includes(c.res.status)) return;
  c.res.headers.set("content-disposition", downloadDisposition(c.req.query(DOWNLOAD_NAME_PARAM)));
};
