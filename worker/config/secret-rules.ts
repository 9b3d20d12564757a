// What counts as a usable secret in production; imported by the preflight, the token code and
// the deploy tests (dependency-free so Node can load it too).

/** Secrets the Worker signs, hashes or authenticates with (README "Deploying" says how to make each). */
export const SIGNING_SECRETS = ["JWT_SECRET", "CALLBACK_SECRET", "MEDIA_SIGNING_SECRET", "VIEWER_HASH_SECRET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;

/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2); every other secret too. */
export const MIN_SECRET_BYTES = 32;
