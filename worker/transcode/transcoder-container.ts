// Production transcoder: a Cloudflare Container built from transcode-container/Dockerfile.
import { Container } from "@cloudflare/containers";

export class Transcoder extends Container<Env> {
  override defaultPort = 8788;
  // Long enough to outlive gaps between progress callbacks; the job keeps it busy meanwhile.
  override sleepAfter = "10m";

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
    };
  }
}
