// POST /api/reports (API.md "Reports and moderation"): anyone signed in reports a video, comment
// or creator they can see; one open report per reporter and target (a repeat answers 200 with it).
import { Hono } from "hono";
import { z } from "zod";
import { createReportSchema, type ReportCreated } from "#contract/api.ts";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../auth/guards.ts";
import { limitAccountAction } from "../auth/rate-limits.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { assertReportable } from "./report-targets.ts";
import { fileReport } from "./report-queries.ts";

export const reportRoutes = new Hono<AppEnv>();

reportRoutes.post("/", async (c) => {
  const user = requireUser(c);
  // Text a person wrote: wrong or too long is 422 with `errors` (API.md "Additions").
  const input = parseWith(createReportSchema, await readJson(c, z.unknown()), 422);
  await assertReportable(c, input.target);
  await limitAccountAction(c, "reports", user.id);
  const { id, created } = await fileReport(c.var.db, {
    reporterId: user.id,
    targetKind: input.target.kind,
    targetId: input.target.id,
    reason: input.reason,
    detail: input.detail,
  });
  return c.json({ id } satisfies ReportCreated, created ? 201 : 200);
});
