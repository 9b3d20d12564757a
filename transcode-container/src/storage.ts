// S3 client for R2 (production account endpoint, or wrangler dev's local S3 API). Path-style
// addressing and checksums only when required: R2's S3 API rejects the SDK's default
// flexible-checksum headers.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

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
};

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
  };
}
