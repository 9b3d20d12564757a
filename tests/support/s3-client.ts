// An S3 client for wrangler's local S3 API (path-style, SigV4, checksums only when required).
import { S3Client } from "@aws-sdk/client-s3";

export function localS3(s3: { endpoint: string; accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
