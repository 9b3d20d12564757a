// One wrangler dev (local R2 + its S3 API) for the whole suite; its first start takes seconds.
import type { TestProject } from "vitest/node";
import { startLocalR2 } from "../support/local-r2.ts";
import type { R2Info } from "./helpers/s3.ts";

declare module "vitest" {
  export interface ProvidedContext {
    r2: R2Info;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const r2 = await startLocalR2();
  project.provide("r2", {
    endpoint: r2.endpoint,
    bucket: r2.bucket,
    accessKeyId: r2.accessKeyId,
    secretAccessKey: r2.secretAccessKey,
    region: r2.region,
  });
  return () => r2.stop();
}
