// Called where a video stops being public (made private, removed, deleted): this data center's
// cached lists and pages stop showing it at once; others within MAX_AGE_SECONDS (policy.ts).
import { nextGeneration } from "./generation.ts";

export async function purgePublicReads(requestUrl: string): Promise<void> {
  await nextGeneration(new URL(requestUrl).origin);
}
