// Production transcoder: a pool of Cloudflare Containers built from transcode-container/Dockerfile,
// addressed by slot name. A task holds its request open while it runs; the container is kept
// awake exactly while it has work: when the idle timer fires we ask it, and stop it only if idle.
import { Container } from "@cloudflare/containers";

export class Transcoder extends Container<Env> {
  override defaultPort = 8788;
  override sleepAfter = "2m";

  constructor(ctx: DurableObjectState<{}>, env: Env) {
    super(ctx, env);
    this.envVars = {
      HOST: "0.0.0.0",
      PORT: "8788",
      S3_ENDPOINT: env.S3_ENDPOINT,
      S3_BUCKET: env.S3_BUCKET,
      S3_REGION: env.S3_REGION,
      S3_ACCESS_KEY_ID: env.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: env.S3_SECRET_ACCESS_KEY,
      CALLBACK_SECRET: env.CALLBACK_SECRET,
      // Callbacks may only go to our own origin, whatever a request asks for.
      CALLBACK_ORIGIN: env.PUBLIC_ORIGIN,
      TASK_SLOTS: "1",
    };
  }

  override async onActivityExpired(): Promise<void> {
    try {
      const health = await this.containerFetch("http://transcoder/health");
      const body = (await health.json()) as { running?: number };
      if ((body.running ?? 0) > 0) {
        this.renewActivityTimeout();
        return;
      }
    } catch {
      // Unreachable: nothing useful is running in it.
    }
    await this.stop();
  }
}
