// Video data functions; each takes the database as its first argument.
import { Column, and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { creators, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";
import { creatorSuspended } from "../moderation/visibility.ts";

export type VideoRow = typeof videos.$inferSelect;
export type VideoWithCreator = VideoRow & { creator: { id: string; displayName: string; userId: string; suspended: boolean } };

/** The creator columns every video select carries (suspended: moderation/visibility.ts). */
export const creatorColumns = { id: creators.id, displayName: creators.displayName, userId: creators.userId, suspended: creatorSuspended };

/**
 * The one videos ⋈ creators select: add where/orderBy/limit, then flatten the rows with
 * withCreators. Every video the API presents is loaded through it.
 */
export const selectVideosWithCreator = (db: Database) =>
  db
    .select({ video: videos, creator: creatorColumns })
    .from(videos)
    .innerJoin(creators, eq(creators.id, videos.creatorId));

export const withCreators = <V extends Partial<VideoRow>>(rows: { video: V; creator: VideoWithCreator["creator"] }[]): (V & { creator: VideoWithCreator["creator"] })[] =>
  rows.map((r) => ({ ...r.video, creator: r.creator }));

/**
 * The columns a listing presents (presentVideo, sort keys, the owner check). Lists leave out the
 * upload, transcode-plan, renditions and search columns: about 80 % of a transcoded video's row
 * (the plan, the uploaded parts' ETags), which every listed row otherwise carried through
 * Postgres, the driver's JSON parsing and drizzle's mapping (issue #12: bench/api/profile.ts).
 */
const listedColumns = {
  id: videos.id,
  creatorId: videos.creatorId,
  title: videos.title,
  description: videos.description,
  visibility: videos.visibility,
  status: videos.status,
  playable: videos.playable,
  progress: videos.progress,
  failureReason: videos.failureReason,
  durationSeconds: videos.durationSeconds,
  width: videos.width,
  height: videos.height,
  viewCount: videos.viewCount,
  likeCount: videos.likeCount,
  commentsEnabled: videos.commentsEnabled,
  removedAt: videos.removedAt,
  publishAt: videos.publishAt,
  downloadable: videos.downloadable,
  downloadKey: videos.downloadKey,
  trendingScore: videos.trendingScore,
  masterKey: videos.masterKey,
  posterKey: videos.posterKey,
  storyboardKey: videos.storyboardKey,
  thumbnailKeys: videos.thumbnailKeys,
  publishedAt: videos.publishedAt,
  createdAt: videos.createdAt,
};

/** A video as lists load it: what presenting it needs, nothing else. */
export type ListedVideo = Pick<VideoRow, keyof typeof listedColumns> & { creator: VideoWithCreator["creator"] };

// A listed row travels as one JSON array that Postgres builds (json_build_array of the columns
// above, then the creator's), decoded here by each column's own drizzle decoder: 20 JSON texts
// for JSON.parse per page instead of 600 fields for the driver to parse and drizzle to map
// (decision 0016; less work, though the feed's total cost did not measurably move).
// Columns whose decoder returns the JSON value as it is (text, booleans, integers, jsonb) get
// none: 30 decoder calls per row, 20 rows per page (bench/api/profile.ts).
type Decoder = ((value: unknown) => unknown) | null;
const identity = Column.prototype.mapFromDriverValue;
const decoderOf = (field: Column | SQL): Decoder =>
  field instanceof Column && field.mapFromDriverValue !== identity ? (v) => field.mapFromDriverValue(v) : null;
const videoFields = Object.entries(listedColumns).map(([key, column]) => [key, decoderOf(column)] as const);
const creatorFields = Object.entries(creatorColumns).map(([key, field]) => [key, decoderOf(field)] as const);

function decodeInto(target: Record<string, unknown>, fields: typeof videoFields, values: unknown[], offset: number): void {
  for (let i = 0; i < fields.length; i++) {
    const [key, decode] = fields[i]!;
    const value = values[offset + i];
    target[key] = value === null ? null : decode ? decode(value) : value;
  }
}

function decodeListed(values: unknown[]): ListedVideo {
  const video: Record<string, unknown> = {};
  const creator: Record<string, unknown> = {};
  decodeInto(video, videoFields, values, 0);
  decodeInto(creator, creatorFields, values, videoFields.length);
  video.creator = creator;
  return video as ListedVideo;
}

const listedRow = sql`json_build_array(${sql.join([...Object.values(listedColumns), ...Object.values(creatorColumns)], sql`, `)})`.mapWith(
  (values: unknown[]) => decodeListed(values),
);

/** videos ⋈ creators with only the listed columns: add where/orderBy/limit, then listedVideos. */
export const selectListedVideosWithCreator = (db: Database) =>
  db
    .select({ listed: listedRow })
    .from(videos)
    .innerJoin(creators, eq(creators.id, videos.creatorId));

export const listedVideos = (rows: { listed: ListedVideo }[]): ListedVideo[] => rows.map((r) => r.listed);

/** The same rows from a statement run in array mode (the listed value is its one column). */
export const listedFromArrays = (rows: unknown[][]): ListedVideo[] => rows.map((r) => decodeListed(r[0] as unknown[]));

export async function findVideo(db: Database, id: string): Promise<VideoWithCreator | null> {
  return withCreators(await selectVideosWithCreator(db).where(eq(videos.id, id)))[0] ?? null;
}

/** One video and `extra` columns computed alongside it (correlated on videos.id), in one statement. */
export async function findVideoWith(db: Database, id: string, extra: Record<string, SQL>): Promise<{ video: VideoWithCreator; extra: Record<string, unknown> } | null> {
  const [row] = await db
    .select({ video: videos, creator: creatorColumns, extra: { ...extra, id: videos.id } })
    .from(videos)
    .innerJoin(creators, eq(creators.id, videos.creatorId))
    .where(eq(videos.id, id));
  return row ? { video: withCreators([row])[0]!, extra: row.extra } : null;
}

/** Loads videos by id, keeping the given order (ids not found are left out). */
export async function findVideosByIds(db: Database, ids: string[]): Promise<VideoWithCreator[]> {
  if (ids.length === 0) return [];
  const byId = new Map(withCreators(await selectVideosWithCreator(db).where(inArray(videos.id, ids))).map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function insertUploadingVideo(
  db: Pick<Database, "insert">,
  values: {
    creatorId: string;
    title: string;
    description: string;
    visibility: VideoRow["visibility"];
    filename: string;
    contentType: string;
    sourceSize: number;
    partSize: number;
    publishAt: Date | null;
  },
): Promise<VideoRow> {
  const [row] = await db.insert(videos).values({ ...values, status: "uploading" }).returning();
  return row!;
}

export async function setUploadId(db: Database, id: string, uploadId: string): Promise<void> {
  await db.update(videos).set({ uploadId, updatedAt: sql`now()` }).where(eq(videos.id, id));
}

/** uploading → queued, once; returns false when another request got there first. */
export async function markQueued(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(videos)
    .set({ status: "queued", queuedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(videos.id, id), eq(videos.status, "uploading")))
    .returning({ id: videos.id });
  return rows.length > 0;
}

export async function markUploadFailed(db: Database, id: string, reason: string): Promise<void> {
  await db
    .update(videos)
    .set({ status: "failed", failureReason: reason, updatedAt: sql`now()` })
    .where(and(eq(videos.id, id), eq(videos.status, "uploading")));
}

export async function deleteUploadingVideo(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .delete(videos)
    .where(and(eq(videos.id, id), eq(videos.status, "uploading")))
    .returning({ id: videos.id });
  return rows.length > 0;
}

export async function recordUploadedPart(db: Database, id: string, partNumber: number, part: { etag: string; size: number }): Promise<void> {
  // One atomic jsonb merge per part, so parallel reports never overwrite each other.
  await db
    .update(videos)
    .set({ uploadedParts: sql`${videos.uploadedParts} || jsonb_build_object(${String(partNumber)}::text, ${JSON.stringify(part)}::jsonb)` })
    .where(and(eq(videos.id, id), eq(videos.status, "uploading")));
}
