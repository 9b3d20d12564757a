// Uploads many objects with bounded parallelism, each with the serving metadata the media
// layout prescribes for its key.
import { storedObjectMetadata } from "../../../contract/media-layout.ts";
import { JobFailure } from "../failures.ts";
import type { Storage } from "../storage.ts";

const PARALLEL_PUTS = 8;

export async function putAll(storage: Storage, objects: { key: string; body: Uint8Array | string }[], signal: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const { key, body } = objects[next++]!;
      try {
        await storage.put(key, body, { ...storedObjectMetadata(key), signal });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new JobFailure("storage_error", undefined, `${key}: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PUTS, objects.length) }, worker));
}
