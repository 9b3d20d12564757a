import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { Problem, unauthorized } from "../http/problem.ts";
import { parseWith } from "../http/validate.ts";
import { applyCallbackEvent } from "./callback-events.ts";
import { SIGNATURE_HEADER, verifyCallback } from "./callback-signature.ts";
import { callbackEventSchema } from "./job-contract.ts";

export const transcodeCallbackRoutes = new Hono<AppEnv>();

const MAX_CALLBACK_BYTES = 256 * 1024;

transcodeCallbackRoutes.post("/callback", async (c) => {
  const body = await c.req.text();
  if (body.length > MAX_CALLBACK_BYTES) throw new Problem({ status: 413, detail: "Callback body too large." });
  if (!(await verifyCallback(c.env.CALLBACK_SECRET, c.req.header(SIGNATURE_HEADER), body))) {
    throw unauthorized("Bad or expired callback signature.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Problem({ status: 400, detail: "The callback body is not valid JSON." });
  }
  const event = parseWith(callbackEventSchema, json);
  const applied = await applyCallbackEvent(c.var.db, event);
  // 410 tells a superseded attempt to stop working.
  if (!applied) return c.body(null, 410);
  return c.body(null, 204);
});
