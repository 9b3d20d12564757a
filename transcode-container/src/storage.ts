// S3 client for R2 (production account endpoint, or wrangler dev's local S3 API). Path-style
// addressing and checksums only when required: R2's S3 API rejects the SDK's default
// flexible-checksum headers.
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";

export type StorageConfig = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
};

export type PutOptions = { contentType: string; cacheControl?: string; signal?: AbortSignal };

export type Storage = {
  put(key: string, body: Uint8Array | string, options: PutOptions): Promise<void>;
  list(prefix: string, signal?: AbortSignal): Promise<string[]>;
  deleteMany(keys: string[], signal?: AbortSignal): Promise<void>;
};

export const CONTENT_TYPES = {
  playlist: "application/vnd.apple.mpegurl",
  segment: "video/mp4",
  jpeg: "image/jpeg",
  vtt: "text/vtt; charset=utf-8",
} as const;

export function createS3Storage(config: StorageConfig): Storage {
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 5,
  });
  return {
    async put(key, body, options) {
      await client.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: key,
          Body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
          ContentType: options.contentType,
          CacheControl: options.cacheControl,
        }),
        { abortSignal: options.signal },
      );
    },
    async list(prefix, signal) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: config.bucket, Prefix: prefix, ContinuationToken: token }),
          { abortSignal: signal },
        );
        for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async deleteMany(keys, signal) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        await client.send(
          new DeleteObjectsCommand({
            Bucket: config.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
          { abortSignal: signal },
        );
      }
    },
  };
}
