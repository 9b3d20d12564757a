// The public REST contract (shared/API.md) in code: the one place a response field, a request
// rule, an enum value or a limit is written. Imported by the Worker (validation; presenters are
// checked against the response types), the web app (types) and db/schema.ts (enums). Split by
// resource (./videos.ts, ./accounts.ts, ./community.ts); this file is the one import path. The
// plain values live in ./limits.ts (no zod, for the browser) and are re-exported here.
export * from "./limits.ts";
export type { Chapter } from "./chapters.ts";
export * from "./videos.ts";
export * from "./accounts.ts";
export * from "./community.ts";
