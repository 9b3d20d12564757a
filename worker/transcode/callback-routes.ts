import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { Problem, unauthorized } from "../http/problem.ts";
import { parseWith } from "../http/validate.ts";
import { applyCallbackEvent } from "./callback-events.ts";
import { requeueTranscode } from "./lease.ts";
import { verifyCallbackSignature } from "#transcoder/callback-signature.ts";
import { SIGNATURE_HEADER } from "#transcoder/contract.ts";
import { PERMANENT_FAILURES, callbackEventSchema, type TranscodeMessage } from "./job-contract.ts";

export const transcodeCallbackRoutes = new Hono<AppEnv>();

const MAX_CALLBACK_BYTES = 256 * 1024;

transcodeCallbackRoutes.post("/callback", async (c) => {
  const body = await c.req.text();
  if (body.length > MAX_CALLBACK_BYTES) throw new Problem({ status: 413, detail: "Callback body too large." });
  if (!(await verifyCallbackSignature(c.env.CALLBACK_SECRET, c.req.header(SIGNATURE_HEADER), body))) {
    throw unauthorized("Bad or expired callback signature.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Problem({ status: 400, detail: "The callback body is not valid JSON." });
  }
  const event = parseWith(callbackEventSchema, json);
  const failure = event.event === "failed" ? event.failure : undefined;
  if (failure && !PERMANENT_FAILURES.includes(failure.code as never)) {
    // Our side failed (storage, network, a crash): try again rather than blaming the file.
    if (!(await requeueTranscode(c.var.db, event.videoId, event.jobId))) return c.body(null, 410);
    const message: TranscodeMessage = { videoId: event.videoId, reason: "retry" };
    await c.env.TRANSCODE_QUEUE.send(message, { delaySeconds: 5 });
    return c.body(null, 204);
  }
  const applied = await applyCallbackEvent(c.var.db, event);
  // 410 tells a superseded attempt to stop working.
  if (!applied) return c.body(null, 410);
  return c.body(null, 204);
});
