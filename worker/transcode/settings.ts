// Transcode settings from the environment, in one place.
import { TASK_LEASE_SECONDS } from "#transcoder/chunks/task-lease.ts";

export function transcodeSettings(env: Pick<Env, "TRANSCODE_MAX_ATTEMPTS" | "HEARTBEAT_TIMEOUT_SECONDS">) {
  return {
    /** Plan attempts per video (probe failures on our side). */
    maxAttempts: Number(env.TRANSCODE_MAX_ATTEMPTS) || 3,
    heartbeatTimeoutSeconds: Number(env.HEARTBEAT_TIMEOUT_SECONDS) || 90,
    /** Attempts per task (chunk, audio, stills) before the video fails; busy fleets do not count. */
    maxTaskAttempts: 4,
    /**
     * A running task whose heartbeats (every 10 s) stopped is handed out again after this long:
     * its transcoder stops it by then too (task-lease.ts), so two never write at once for long.
     */
    taskStaleSeconds: TASK_LEASE_SECONDS,
    /** A pending task whose message was lost is sent again after this long. */
    pendingStaleSeconds: 120,
  };
}

export function callbackUrl(env: Pick<Env, "PUBLIC_ORIGIN">): string {
  return new URL("/api/internal/transcode/callback", env.PUBLIC_ORIGIN).toString();
}
