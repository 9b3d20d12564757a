import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { Problem, unauthorized } from "../http/problem.ts";
import { MAX_JSON_BODY_BYTES, discardBody, parseWith, readLimitedText } from "../http/validate.ts";
import { applyTaskCallback } from "./callback-events.ts";
import { bodyHash, verifySignatureHeader } from "#transcoder/callback-signature.ts";
import { SIGNATURE_HEADER } from "#transcoder/contract.ts";
import { taskCallbackSchema } from "#transcoder/chunks/task-contract.ts";

export const transcodeCallbackRoutes = new Hono<AppEnv>();

transcodeCallbackRoutes.post("/callback", async (c) => {
  // Refused before a byte of the body is read: a declared size over the JSON limit, then a
  // header that is not ours (the MAC covers the time and the body's hash, not the body itself).
  // The unread body is cancelled so the answer goes out at once (discardBody).
  const refuse = async (problem: Problem) => {
    await discardBody(c.req.raw);
    return problem;
  };
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) throw await refuse(new Problem({ status: 413, detail: "Callback body too large." }));
  const signedHash = await verifySignatureHeader(c.env.CALLBACK_SECRET, c.req.header(SIGNATURE_HEADER));
  if (!signedHash) throw await refuse(unauthorized("Bad or expired callback signature."));
  // Then at most the limit is read (a streamed body that grows past it is cut off: 413), and the
  // bytes must be the ones that were signed.
  const body = await readLimitedText(c.req.raw, MAX_JSON_BODY_BYTES);
  if ((await bodyHash(body)) !== signedHash) throw unauthorized("The callback body does not match its signature.");
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
