// S3 client for R2 (production account endpoint, or wrangler dev's local S3 API). Path-style
// addressing and checksums only when required: R2's S3 API rejects the SDK's default
// flexible-checksum headers.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

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
  /** An object's bytes, streamed. */
  get(key: string, signal?: AbortSignal): Promise<Readable>;
  /** A local file of any size: in parts once it is large (S3 caps one PUT at 5 GiB). */
  putFile(key: string, file: string, options: PutOptions): Promise<void>;
};

/** Parts of a multipart upload: R2 wants equal parts (but the last); 4 in flight. */
const PART_BYTES = 32 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

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
    async get(key, signal) {
      const out = await client.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }), { abortSignal: signal });
      if (!(out.Body instanceof Readable)) throw new Error(`${key}: no body`);
      return out.Body;
    },
    async putFile(key, file, options) {
      const upload = new Upload({
        client,
        params: { Bucket: config.bucket, Key: key, Body: createReadStream(file), ContentType: options.contentType, CacheControl: options.cacheControl },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        // A stopped upload is aborted, so no half-written object is ever committed.
        leavePartsOnError: false,
      });
      const abort = () => void upload.abort().catch(() => {});
      options.signal?.addEventListener("abort", abort, { once: true });
      try {
        await upload.done();
      } finally {
        options.signal?.removeEventListener("abort", abort);
      }
    },
  };
}
