// Upload flow: the Worker creates the row and an R2 multipart upload and hands out presigned part
// URLs; the browser PUTs parts straight to storage; completing queues the transcode.
import { Hono, type Context } from "hono";
import {
  MAX_UPLOAD_BYTES,
  completeUploadSchema,
  createVideoSchema,
  partCount,
  partLength,
  partSizeFor,
  reportPartSchema,
  videoIdParam,
  type CreatedVideo,
  type ResumeInfo,
} from "#contract/api.ts";
import { mediaKeys, sourceKey } from "#contract/media-layout.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { limitAccountAction } from "../auth/rate-limits.ts";
import { Problem, forbidden, notFound } from "../http/problem.ts";
import { readJson } from "../http/validate.ts";
import {
  StorageError,
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  presignPart,
} from "../storage/multipart.ts";
import { dispatchPlan } from "../transcode/plan-dispatch.ts";
import { enqueueTranscode, planMessage } from "../transcode/queue.ts";
import { findCreatorByUserId } from "../creators/queries.ts";
import { assertOwner } from "./access.ts";
import { videoJson } from "./respond.ts";
import {
  deleteUploadingVideo,
  findVideo,
  insertUploadingVideo,
  markQueued,
  markUploadFailed,
  recordUploadedPart,
  setUploadId,
  type VideoWithCreator,
} from "./queries.ts";
import { markSweepWork } from "../sweeps/work-marker.ts";
import { withinQuota } from "../quotas/quota.ts";
import { acceptedPublishAt } from "./schedule.ts";

export const uploadRoutes = new Hono<AppEnv>();

const PART_URL_TTL_SECONDS = 6 * 60 * 60;
const partUrlsExpireAt = () => new Date(Date.now() + PART_URL_TTL_SECONDS * 1000).toISOString();

function storageProblem(err: unknown): Problem {
  console.error("storage error", err);
  return new Problem({ status: 503, detail: "Storage is not answering right now. Try again in a moment.", headers: { "retry-after": "5" } });
}

/** Each URL carries its part's exact length in the signature: storage refuses any other size. */
async function partUrls(env: Env, video: { id: string; sourceSize: number; partSize: number }, uploadId: string, numbers: number[]) {
  return Promise.all(
    numbers.map(async (partNumber) => ({
      partNumber,
      url: await presignPart(env, sourceKey(video.id), uploadId, partNumber, partLength(video.sourceSize, video.partSize, partNumber), PART_URL_TTL_SECONDS),
    })),
  );
}

async function ownedVideo(c: Context<AppEnv>) {
  const user = requireUser(c);
  const id = videoIdParam.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No such video.");
  return assertOwner(await findVideo(c.var.db, id.data), user);
}

uploadRoutes.post("/", async (c) => {
  const user = requireUser(c);
  const input = await readJson(c, createVideoSchema);
  const publishAt = acceptedPublishAt(input.publishAt, input.visibility) ?? null;
  if (input.size > MAX_UPLOAD_BYTES) {
    throw new Problem({ status: 413, detail: `Videos can be at most ${MAX_UPLOAD_BYTES} bytes.`, errors: [{ path: "size", message: "Too large." }] });
  }
  const creator = await findCreatorByUserId(c.var.db, user.id);
  if (!creator) throw forbidden("Only creators can upload videos. Become a creator first.");
  const partSize = partSizeFor(input.size);
  // Quotas (API.md "Quotas"): 429 past the daily count, 413 past storage, before storage is
  // touched; checked and inserted atomically per user (withinQuota).
  const row = await withinQuota(c.var.db, c.env, { userId: user.id, creatorId: creator.id }, input.size, async (tx) => {
    // Each upload opens a multipart upload in storage: bound how fast one account or address can.
    await limitAccountAction(c, "uploads", user.id);
    // Before the row exists, so no sweep can miss it (worker/sweeps/work-marker.ts).
    await markSweepWork(c.env.MEDIA);
    return insertUploadingVideo(tx, {
      creatorId: creator.id,
      title: input.title,
      description: input.description,
      visibility: input.visibility,
      filename: input.filename,
      contentType: input.contentType,
      sourceSize: input.size,
      partSize,
      publishAt,
    });
  });
  let uploadId: string;
  try {
    // Private from the first byte: the media route refuses unsigned URLs for this prefix.
    if (input.visibility === "private") await c.env.MEDIA.put(mediaKeys(row.id).privateMarker, "");
    uploadId = await createMultipartUpload(c.env, sourceKey(row.id), input.contentType);
  } catch (err) {
    await deleteUploadingVideo(c.var.db, row.id);
    throw storageProblem(err);
  }
  await setUploadId(c.var.db, row.id, uploadId);
  const count = partCount(input.size, partSize);
  const parts = await partUrls(c.env, { id: row.id, sourceSize: input.size, partSize }, uploadId, Array.from({ length: count }, (_, i) => i + 1));
  const video = await findVideo(c.var.db, row.id);
  return c.json(
    {
      video: await videoJson(c, video!),
      upload: { uploadId, partSize, partCount: count, expiresAt: partUrlsExpireAt(), parts },
    } satisfies CreatedVideo,
    201,
  );
});

// Resuming: the parts the uploader reported as stored, and fresh URLs for the rest.
uploadRoutes.get("/:id/upload", async (c) => {
  const video = await ownedVideo(c);
  if (video.status !== "uploading" || !video.uploadId || !video.partSize) {
    throw new Problem({ status: 409, detail: `This upload is already complete (status ${video.status}).` });
  }
  const count = partCount(video.sourceSize, video.partSize);
  const uploaded = Object.entries(video.uploadedParts)
    .map(([n, p]) => ({ partNumber: Number(n), etag: p.etag, size: p.size }))
    .sort((a, b) => a.partNumber - b.partNumber);
  const have = new Set(uploaded.map((p) => p.partNumber));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !have.has(n));
  return c.json({
    uploadId: video.uploadId,
    partSize: video.partSize,
    partCount: count,
    size: video.sourceSize,
    uploaded,
    parts: await partUrls(c.env, { id: video.id, sourceSize: video.sourceSize, partSize: video.partSize }, video.uploadId, missing),
    expiresAt: partUrlsExpireAt(),
  } satisfies ResumeInfo);
});

// The uploader reports each part storage accepted (with its ETag) so a reload can resume.
uploadRoutes.put("/:id/upload/parts/:partNumber", async (c) => {
  const video = await ownedVideo(c);
  if (video.status !== "uploading" || !video.partSize) throw new Problem({ status: 409, detail: "This upload is already complete." });
  const count = partCount(video.sourceSize, video.partSize);
  const partNumber = Number(c.req.param("partNumber"));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > count) {
    throw new Problem({ status: 404, detail: `This upload has parts 1 to ${count}.` });
  }
  const input = await readJson(c, reportPartSchema);
  const expectedSize = partLength(video.sourceSize, video.partSize, partNumber);
  if (input.size !== expectedSize) {
    throw new Problem({ status: 422, detail: `Part ${partNumber} must be ${expectedSize} bytes.`, errors: [{ path: "size", message: `expected ${expectedSize}` }] });
  }
  await recordUploadedPart(c.var.db, video.id, partNumber, input);
  return c.body(null, 204);
});

/**
 * The parts to complete with, in order: the ones sent, or else the ones reported one by one. Either
 * way every part 1..n must be there exactly once.
 */
function partsToComplete(video: VideoWithCreator, sent: { partNumber: number; etag: string }[] | undefined) {
  const expected = partCount(video.sourceSize, video.partSize!);
  const parts = (sent ?? Object.entries(video.uploadedParts).map(([n, p]) => ({ partNumber: Number(n), etag: p.etag }))).sort(
    (a, b) => a.partNumber - b.partNumber,
  );
  if (parts.length === expected && parts.every((p, i) => p.partNumber === i + 1)) return parts;
  if (sent) {
    throw new Problem({
      status: 422,
      detail: `Send all ${expected} parts, numbered 1 to ${expected}, each once.`,
      errors: [{ path: "parts", message: `expected ${expected} parts` }],
    });
  }
  const have = new Set(parts.map((p) => p.partNumber));
  const missing = Array.from({ length: expected }, (_, i) => i + 1).filter((n) => !have.has(n));
  throw new Problem({
    status: 422,
    detail: `${missing.length === 1 ? "Part" : "Parts"} ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? "…" : ""} ${missing.length === 1 ? "has" : "have"} not been reported yet (${missing.length} of ${expected} missing). Report each stored part, or send them all in "parts".`,
    errors: [{ path: "parts", message: `${missing.length} parts not reported` }],
  });
}

uploadRoutes.post("/:id/upload/complete", async (c) => {
  const video = await ownedVideo(c);
  const input = await readJson(c, completeUploadSchema);
  // Repeating a completed upload is harmless: answer with the current state.
  if (video.status !== "uploading") {
    if (video.status === "failed") throw new Problem({ status: 409, detail: video.failureReason ?? "This upload failed." });
    return c.json(await videoJson(c, video), 202);
  }
  if (!video.uploadId || !video.partSize) throw new Problem({ status: 409, detail: "This upload has no storage session." });
  const parts = partsToComplete(video, input.parts);
  try {
    await completeMultipartUpload(c.env, sourceKey(video.id), video.uploadId, parts);
  } catch (err) {
    if (err instanceof StorageError && err.code === "NoSuchUpload") {
      // A concurrent complete may have won; trust the database.
      const now = await findVideo(c.var.db, video.id);
      if (now && now.status !== "uploading") return c.json(await videoJson(c, now), 202);
      const head = await c.env.MEDIA.head(sourceKey(video.id));
      if (!head) throw new Problem({ status: 409, detail: "This upload was aborted or expired. Start a new one." });
    } else if (err instanceof StorageError && (err.code === "InvalidPart" || err.code === "InvalidPartOrder" || err.code === "EntityTooSmall")) {
      throw new Problem({ status: 422, detail: `Storage refused the parts: ${err.message}. Resume the upload and send every part again.` });
    } else {
      throw storageProblem(err);
    }
  }
  // The stored size must match what the creator declared.
  const head = await c.env.MEDIA.head(sourceKey(video.id));
  if (!head) throw storageProblem(new Error("completed object not found"));
  if (head.size !== video.sourceSize) {
    await c.env.MEDIA.delete(sourceKey(video.id));
    await markUploadFailed(c.var.db, video.id, `The uploaded file is ${head.size} bytes but ${video.sourceSize} were declared.`);
    throw new Problem({ status: 422, detail: `The uploaded file is ${head.size} bytes, not the declared ${video.sourceSize}. Upload it again.` });
  }
  await markSweepWork(c.env.MEDIA);
  if (await markQueued(c.var.db, video.id)) {
    // If this send is lost (crash), the sweep re-enqueues videos stuck in `queued`.
    await enqueueTranscode(c.env, planMessage(video.id, "upload"));
    // Planning starts now, a queue hop sooner (the first playable moment waits on it). The
    // queued message is the fallback: it finds the lease taken and does nothing, or plans if
    // this never got as far as the lease.
    c.executionCtx.waitUntil(
      dispatchPlan(c.env, planMessage(video.id, "upload")).catch((error) => console.warn("plan after upload failed", video.id, error instanceof Error ? error.message : error)),
    );
  }
  const now = await findVideo(c.var.db, video.id);
  return c.json(await videoJson(c, now!), 202);
});

uploadRoutes.delete("/:id/upload", async (c) => {
  const video = await ownedVideo(c);
  if (video.status !== "uploading") throw new Problem({ status: 409, detail: "Only an unfinished upload can be aborted." });
  if (video.uploadId) {
    try {
      await abortMultipartUpload(c.env, sourceKey(video.id), video.uploadId);
    } catch (err) {
      throw storageProblem(err);
    }
  }
  await deleteUploadingVideo(c.var.db, video.id);
  return c.body(null, 204);
});

