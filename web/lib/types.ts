// The JSON shapes of the public API come from the contract (contract/api.ts); only web-only shapes
// are written here.
export type {
  Chapter,
  Comment,
  Creator,
  CreatorSummary,
  FollowedCreator,
  Me,
  Page,
  ResumeInfo,
  SearchResult,
  Stats,
  UploadPlan,
  User,
  Video,
  VideoStatus,
  Visibility,
} from "#contract/api.ts";

/** What a form action answers: ok, or the API's problem in words with per-field messages. */
export type ActionResult =
  | { ok: true; intent?: string }
  | { ok: false; intent?: string; error: string; fields: Record<string, string> };
