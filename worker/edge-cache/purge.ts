// Called where a video stops being public (made private, removed, deleted): this data center's
// cached lists and pages stop showing it at once; others within MAX_AGE_SECONDS (policy.ts).
import { nextGeneration } from "./generation.ts";
import { forgetAll } from "./memory.ts";

export async function purgePublicReads(requestUrl: string): Promise<void> {
  await nextGeneration(new URL(requestUrl).origin);
  // Of the old generation now, so never served again: only frees this isolate's memory.
  forgetAll();
}
