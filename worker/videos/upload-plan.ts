// Multipart plan: parts of at least 8 MiB (all but the last equal-sized, as S3 requires), large
// enough that any allowed file fits in S3's 10,000-part limit.
export const MIN_PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS);
  return Math.max(MIN_PART_SIZE, Math.ceil(needed / MiB) * MiB);
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export const PART_URL_TTL_SECONDS = 6 * 60 * 60;
