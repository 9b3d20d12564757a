// S3 multipart uploads against R2 (or wrangler's local S3 API), signed with aws4fetch, so the
// upload the browser writes to with presigned URLs is the one we create, complete and abort.
import { objectUrl, presign, s3Client } from "./s3-presign.ts";

type S3Env = Parameters<typeof objectUrl>[0];

export class StorageError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

async function s3Request(env: S3Env, method: string, key: string, query: Record<string, string>, init: RequestInit = {}): Promise<string> {
  const response = await s3Client(env).fetch(objectUrl(env, key, query).toString(), { method, ...init });
  const text = await response.text();
  if (!response.ok) {
    const code = tag(text, "Code") ?? `HTTP${response.status}`;
    throw new StorageError(code, response.status, tag(text, "Message") ?? `storage answered ${response.status}`);
  }
  return text;
}

export async function createMultipartUpload(env: S3Env, key: string, contentType: string): Promise<string> {
  const xml = await s3Request(env, "POST", key, { uploads: "" }, { headers: { "content-type": contentType } });
  const uploadId = tag(xml, "UploadId");
  if (!uploadId) throw new StorageError("NoUploadId", 502, "storage returned no upload id");
  return uploadId;
}

export async function completeMultipartUpload(
  env: S3Env,
  key: string,
  uploadId: string,
  parts: { partNumber: number; etag: string }[],
): Promise<void> {
  const body =
    "<CompleteMultipartUpload>" +
    parts
      .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(normaliseEtag(p.etag))}</ETag></Part>`)
      .join("") +
    "</CompleteMultipartUpload>";
  const xml = await s3Request(env, "POST", key, { uploadId }, { body, headers: { "content-type": "application/xml" } });
  // S3 may answer 200 with an error document on completion.
  if (xml.includes("<Error>")) throw new StorageError(tag(xml, "Code") ?? "CompleteFailed", 500, tag(xml, "Message") ?? "complete failed");
}

export async function abortMultipartUpload(env: S3Env, key: string, uploadId: string): Promise<void> {
  try {
    await s3Request(env, "DELETE", key, { uploadId });
  } catch (err) {
    if (err instanceof StorageError && err.code === "NoSuchUpload") return;
    throw err;
  }
}

/** A part URL that accepts exactly `contentLength` bytes (Content-Length is a signed header). */
export function presignPart(env: S3Env, key: string, uploadId: string, partNumber: number, contentLength: number, expiresSeconds: number): Promise<string> {
  return presign(env, "PUT", key, expiresSeconds, { partNumber: String(partNumber), uploadId }, { "content-length": String(contentLength) });
}

function normaliseEtag(etag: string): string {
  const bare = etag.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
  return `"${bare}"`;
}
