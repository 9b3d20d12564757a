// Presigned S3 URLs for R2 (and wrangler's local S3 API), signed with aws4fetch inside the Worker.
import { AwsClient } from "aws4fetch";

type S3Env = { S3_ENDPOINT: string; S3_BUCKET: string; S3_REGION: string; S3_ACCESS_KEY_ID: string; S3_SECRET_ACCESS_KEY: string };

export function s3Client(env: S3Env): AwsClient {
  return new AwsClient({
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    service: "s3",
    region: env.S3_REGION || "auto",
  });
}

/** Path-style object URL; keys are encoded segment by segment (an encoded "/" breaks signatures). */
export function objectUrl(env: S3Env, key: string, query: Record<string, string> = {}): URL {
  const encodedKey = key.split("/").map(encodeURIComponent).join("/");
  const url = new URL(`${env.S3_ENDPOINT.replace(/\/+$/, "")}/${encodeURIComponent(env.S3_BUCKET)}/${encodedKey}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

export async function presign(
  env: S3Env,
  method: "GET" | "PUT",
  key: string,
  expiresSeconds: number,
  query: Record<string, string> = {},
  signedHeaders: Record<string, string> = {},
): Promise<string> {
  const url = objectUrl(env, key, { ...query, "X-Amz-Expires": String(expiresSeconds) });
  // aws4fetch leaves content-length out of the signature unless told to sign every header given
  // (allHeaders); the caller must then send exactly these values.
  const signed = await s3Client(env).sign(url.toString(), { method, headers: signedHeaders, aws: { signQuery: true, allHeaders: true } });
  return signed.url;
}
