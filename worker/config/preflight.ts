// Production preflight: outside local development the Worker refuses to serve (503) while a
// secret is missing, short or one of the .dev.vars.example values, or PUBLIC_ORIGIN/S3_ENDPOINT
// is not a usable https address. Local development is ENVIRONMENT = "development", which only
// the dev stack and the tests set; anything else (wrangler.toml says "production") is checked.
import { problemResponse } from "../http/problem.ts";
import { EXAMPLE_VALUES } from "./example-vars.ts";
import { MIN_SECRET_BYTES, SIGNING_SECRETS } from "./secret-rules.ts";

export type FailedCheck = { check: string; reason: string };

type PreflightEnv = Partial<Record<(typeof SIGNING_SECRETS)[number] | "DATABASE_URL" | "PUBLIC_ORIGIN" | "S3_ENDPOINT" | "ENVIRONMENT" | "JWT_PREVIOUS_SECRET", string>>;

export const isLocalDevelopment = (env: Pick<PreflightEnv, "ENVIRONMENT">) => env.ENVIRONMENT === "development";

function secretProblem(value: string | undefined): string | null {
  if (!value) return "is not set";
  if (EXAMPLE_VALUES.has(value)) return "is a development example value from .dev.vars.example";
  if (new TextEncoder().encode(value).byteLength < MIN_SECRET_BYTES) return `is shorter than ${MIN_SECRET_BYTES} bytes`;
  return null;
}

/** Null for an absolute https origin (no path, query, fragment or credentials), else why not. */
export function httpsOriginProblem(value: string | undefined): string | null {
  if (!value) return "is not set";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an absolute URL";
  }
  if (url.protocol !== "https:") return "must use https";
  if (url.username || url.password || url.search || url.hash) return "must not carry credentials, a query or a fragment";
  if (url.pathname !== "/") return "must be an origin (https://host), without a path";
  return null;
}

/** Every failed check, or none in local development. */
export function preflight(env: PreflightEnv): FailedCheck[] {
  if (isLocalDevelopment(env)) return [];
  const failed: FailedCheck[] = [];
  for (const name of SIGNING_SECRETS) {
    const reason = secretProblem(env[name]);
    if (reason) failed.push({ check: name, reason });
  }
  if (env.JWT_PREVIOUS_SECRET) {
    const reason = secretProblem(env.JWT_PREVIOUS_SECRET);
    if (reason) failed.push({ check: "JWT_PREVIOUS_SECRET", reason });
  }
  if (!env.DATABASE_URL) failed.push({ check: "DATABASE_URL", reason: "is not set" });
  else if (EXAMPLE_VALUES.has(env.DATABASE_URL)) failed.push({ check: "DATABASE_URL", reason: "is a development example value from .dev.vars.example" });
  else if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) failed.push({ check: "DATABASE_URL", reason: "is not a postgresql:// URL" });
  const origin = httpsOriginProblem(env.PUBLIC_ORIGIN);
  if (origin) failed.push({ check: "PUBLIC_ORIGIN", reason: origin });
  const endpoint = httpsOriginProblem(env.S3_ENDPOINT);
  if (endpoint) failed.push({ check: "S3_ENDPOINT", reason: endpoint });
  return failed;
}

export const describeFailures = (failed: FailedCheck[]) => failed.map((f) => `${f.check} ${f.reason}`).join("; ");

const logged = new Set<string>();

/** One structured line per isolate and distinct failure, not one per request. */
export function logPreflightFailure(failed: FailedCheck[]): void {
  const line = JSON.stringify({ level: "error", event: "preflight_failed", message: `Refusing to serve: ${describeFailures(failed)}.`, failed });
  if (logged.has(line)) return;
  logged.add(line);
  console.error(line);
}

/** The 503 every request gets while the configuration is unsafe; names the checks, never values. */
export function preflightResponse(failed: FailedCheck[]): Response {
  return problemResponse({
    status: 503,
    title: "Service Unavailable",
    detail: `This deployment is not configured safely and refuses to serve: ${describeFailures(failed)}.`,
    headers: { "retry-after": "60", "cache-control": "no-store" },
    extensions: { failedChecks: failed },
  });
}
