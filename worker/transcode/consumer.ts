// Transcode queue consumer: lease the job, hand it to the transcoder, and let retries and the
// dead-letter queue take care of transcoders that cannot be reached.
import type { Database } from "../db/connection.ts";
import { openDatabase } from "../db/connection.ts";
import { presign } from "../storage/s3-presign.ts";
import { sourceKey, videoPrefix } from "#contract/media-layout.ts";
import { transcodeMessageSchema, type TranscodeMessage } from "./job-contract.ts";
import { failTranscode, leaseTranscode } from "./lease.ts";
import { startTranscoderJob } from "./transcoder-client.ts";

// FFmpeg streams the source for the whole encode: the URL must outlive the longest job (S3's
// presigning maximum is 7 days).
const SOURCE_URL_TTL_SECONDS = 7 * 24 * 60 * 60;

export function transcodeSettings(env: Env) {
  return {
    maxAttempts: Number(env.TRANSCODE_MAX_ATTEMPTS) || 3,
    heartbeatTimeoutSeconds: Number(env.HEARTBEAT_TIMEOUT_SECONDS) || 90,
  };
}

export function callbackUrl(env: Env): string {
  return new URL("/api/internal/transcode/callback", env.PUBLIC_ORIGIN).toString();
}

export type DispatchResult = "started" | "busy" | "gone" | "exhausted" | "unreachable";

export async function dispatchTranscode(env: Env, db: Database, message: TranscodeMessage): Promise<DispatchResult> {
  const outcome = await leaseTranscode(db, message.videoId, transcodeSettings(env));
  if (outcome.kind === "exhausted") {
    await failTranscode(db, message.videoId, null, "Transcoding failed after several attempts. Try uploading again.");
    return "exhausted";
  }
  if (outcome.kind !== "leased") return outcome.kind;
  const { lease } = outcome;
  const sourceUrl = await presign(env, "GET", sourceKey(lease.videoId), SOURCE_URL_TTL_SECONDS);
  try {
    const answer = await startTranscoderJob(env, {
      jobId: lease.jobId,
      videoId: lease.videoId,
      attempt: lease.attempt,
      source: { url: sourceUrl },
      output: { prefix: videoPrefix(lease.videoId) },
      callback: { url: callbackUrl(env) },
    });
    if (!answer.ok) throw new Error(`transcoder answered ${answer.status}`);
    return "started";
  } catch (err) {
    console.warn("transcoder unreachable", lease.videoId, err instanceof Error ? err.message : err);
    return "unreachable";
  }
}

export async function handleTranscodeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    for (const message of batch.messages) {
      const parsed = transcodeMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        console.warn("dropping malformed transcode message", message.id);
        message.ack();
        continue;
      }
      const result = await dispatchTranscode(env, db, parsed.data);
      // Unreachable: let the queue redeliver with backoff; after max_retries it goes to the DLQ.
      if (result === "unreachable") message.retry({ delaySeconds: Math.min(60, 5 * message.attempts) });
      else message.ack();
    }
  } finally {
    await close();
  }
}

/** Messages that exhausted their retries: the video fails with a reason a person understands. */
export async function handleTranscodeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { db, close } = openDatabase(env);
  try {
    for (const message of batch.messages) {
      const parsed = transcodeMessageSchema.safeParse(message.body);
      if (parsed.success) {
        await failTranscode(db, parsed.data.videoId, null, "Our transcoder could not process this video. Try uploading again.");
      }
      message.ack();
    }
  } finally {
    await close();
  }
}
