// Test-side access to the local R2 bucket through its S3 API.
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { readFile } from "node:fs/promises";

export type R2Info = { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };

export class TestBucket {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(info: R2Info) {
    this.bucket = info.bucket;
    this.client = new S3Client({
      endpoint: info.endpoint,
      region: info.region,
      forcePathStyle: true,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async uploadFile(key: string, file: string, contentType = "video/mp4"): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await readFile(file), ContentType: contentType }),
    );
  }

  /** Presigned GET, as the Worker hands it to the transcoder. */
  presignGet(key: string, expiresIn = 3600): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }

  async getBytes(key: string): Promise<{ bytes: Uint8Array; contentType: string | undefined }> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType };
  }

  async getText(key: string): Promise<string> {
    return new TextDecoder().decode((await this.getBytes(key)).bytes);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
