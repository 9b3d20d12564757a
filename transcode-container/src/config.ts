// Environment configuration, validated once at start so a misconfigured container fails fast
// with a readable message instead of on the first job.
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const configSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8788),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }),
  S3_BUCKET: z.string().min(1),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  S3_REGION: z.string().min(1).default("auto"),
  CALLBACK_SECRET: z.string().min(1),
  /** When set, callbacks may only go to URLs under this origin (the Worker's PUBLIC_ORIGIN). */
  CALLBACK_ORIGIN: z.url({ protocol: /^https?$/ }).optional(),
  WORK_DIR: z.string().min(1).default(path.join(os.tmpdir(), "edge-video-transcoder")),
  MAX_DURATION_SECONDS: z.coerce.number().positive().default(21600),
  FFMPEG_PATH: z.string().min(1).default("ffmpeg"),
  FFPROBE_PATH: z.string().min(1).default("ffprobe"),
  /** Heavy tasks (chunks, audio, stills) run at once: one per vCPU. */
  TASK_SLOTS: z.coerce.number().int().min(1).max(16).default(1),
  /** Seconds between a running task's heartbeats (the Worker re-leases a task whose heartbeats stop; tests shorten it). */
  HEARTBEAT_SECONDS: z.coerce.number().min(0.1).max(30).default(10),
});

export type Config = {
  host: string;
  port: number;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string };
  callbackSecret: string;
  /** Callback URLs must be under this URL (origin, and path if it has one); null: any http(s). */
  callbackOrigin: string | null;
  workDir: string;
  maxDurationSeconds: number;
  ffmpegPath: string;
  ffprobePath: string;
  taskSlots: number;
  heartbeatMs: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Treat empty strings as unset so `FOO=` in an env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid transcoder configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    s3: {
      endpoint: e.S3_ENDPOINT,
      bucket: e.S3_BUCKET,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      region: e.S3_REGION,
    },
    callbackSecret: e.CALLBACK_SECRET,
    callbackOrigin: e.CALLBACK_ORIGIN ?? null,
    workDir: path.resolve(e.WORK_DIR),
    maxDurationSeconds: e.MAX_DURATION_SECONDS,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    taskSlots: e.TASK_SLOTS,
    heartbeatMs: e.HEARTBEAT_SECONDS * 1000,
  };
}
