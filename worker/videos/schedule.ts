// Scheduled publishing on the Worker side (rules: contract/schedule.ts). A schedule is kept in
// videos.publish_at (what the owner asked for) and carried into videos.published_at, the time the
// lists sort and filter by (discovery/listed.ts): when the video first becomes playable, or its
// publishAt if that is later. Each rule below is one SQL expression evaluated in its UPDATE, so a
// schedule change racing the transcoder's first publish (row-locked) cannot lose either.
import { sql, type SQL } from "drizzle-orm";
import type { Visibility } from "#contract/api.ts";
import { publishAtProblem } from "#contract/schedule.ts";
import { videos } from "#db/schema.ts";
import { unprocessable } from "../http/problem.ts";

/**
 * The publishAt of a create or edit body as a Date (null clears, undefined leaves it alone).
 * 422 when it has passed, is too far ahead, or the video will not be public.
 */
export function acceptedPublishAt(publishAt: string | null | undefined, visibility: Visibility): Date | null | undefined {
  if (publishAt == null) return publishAt;
  const at = new Date(publishAt);
  const problem = visibility === "public" ? publishAtProblem(at) : "Only public videos are scheduled: make it public, or leave the time empty.";
  if (problem) throw unprocessable(problem, [{ path: "publishAt", message: problem }]);
  return at;
}

/** published_at when the video first becomes playable (transcode/publish.ts). */
export const publishedAtOnceWatchable: SQL = sql`coalesce(${videos.publishedAt}, greatest(now(), ${videos.publishAt}))`;

/**
 * published_at after the owner set publishAt: nothing until the video is playable; then the new
 * time, or (schedule cleared) now if it was still held back. Greatest(now(), …) because a stored
 * time may pass between the check and the write.
 */
export function publishedAtAfterSchedule(publishAt: Date | null): SQL {
  if (publishAt === null) return sql`case when ${videos.publishedAt} > now() then now() else ${videos.publishedAt} end`;
  return sql`case when ${videos.publishedAt} is null then null else greatest(now(), ${publishAt.toISOString()}::timestamptz) end`;
}
