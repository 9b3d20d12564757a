import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { Problem, unauthorized } from "../http/problem.ts";
import { parseWith, readLimitedText } from "../http/validate.ts";
import { applyTaskCallback } from "./callback-events.ts";
import { verifyCallbackSignature } from "#transcoder/callback-signature.ts";
import { SIGNATURE_HEADER } from "#transcoder/contract.ts";
import { taskCallbackSchema } from "#transcoder/chunks/task-contract.ts";

export const transcodeCallbackRoutes = new Hono<AppEnv>();

const MAX_CALLBACK_BYTES = 64 * 1024;

transcodeCallbackRoutes.post("/callback", async (c) => {
  // Bounded before anything else (the signature is checked over the exact bytes received).
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_CALLBACK_BYTES) throw new Problem({ status: 413, detail: "Callback body too large." });
  const body = await readLimitedText(c.req.raw, MAX_CALLBACK_BYTES);
  if (!(await verifyCallbackSignature(c.env.CALLBACK_SECRET, c.req.header(SIGNATURE_HEADER), body))) {
    throw unauthorized("Bad or expired callback signature.");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Problem({ status: 400, detail: "The callback body is not valid JSON." });
  }
  const callback = parseWith(taskCallbackSchema, json);
  // 410 tells a task nobody wants any more (superseded job, deleted video) to stop.
  if (!(await applyTaskCallback(c.env, c.var.db, callback))) return c.body(null, 410);
  return c.body(null, 204);
});
