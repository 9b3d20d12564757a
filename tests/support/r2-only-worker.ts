// The Worker only exists so wrangler dev exposes the bucket's local S3 API; it answers a
// health probe so tests know the runtime is up.
export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
};
