// /api/admin (admins only: 401 anonymous, 403 anyone else): the reports queue grouped by target,
// resolving a target's open reports in one action, suspending and unsuspending accounts,
// restoring removed videos and comments, and the moderation log the actions leave behind.
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  commentIdParam,
  reportIdParam,
  reportStatusQuery,
  reportTargetKinds,
  resolveReportSchema,
  userIdParam,
  videoIdParam,
  type ModerationAction,
  type ModerationLogEntry,
  type Page,
  type ReportGroup,
  type ReportResolution,
} from "#contract/api.ts";
import type { AppEnv } from "../context.ts";
import { requireRole } from "../auth/guards.ts";
import { notFound } from "../http/problem.ts";
import { parseWith, readJson } from "../http/validate.ts";
import { decodeCursor, encodeCursor, pageQuerySchema } from "../discovery/pagination.ts";
import { removeComment, removeVideo, restoreComment, restoreVideo, suspendUser, unsuspendUser } from "./actions.ts";
import { listModerationLog } from "./log-queries.ts";
import { findReport, listReportGroups, logAction, resolveOpenReports } from "./report-queries.ts";
import { summarizeTargets, targetOwner } from "./report-targets.ts";

export const adminRoutes = new Hono<AppEnv>();

// Every route here is for admins; checked before anything is read or parsed.
adminRoutes.use(async (c, next) => {
  requireRole(c, "admin");
  c.header("cache-control", "private, no-store");
  await next();
});

const usTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
const groupCursor = z.strictObject({ t: usTime, kind: z.enum(reportTargetKinds), id: z.uuid() });
const reportsQuery = pageQuerySchema.extend({ status: reportStatusQuery });

adminRoutes.get("/reports", async (c) => {
  const { status, limit, cursor } = parseWith(reportsQuery, c.req.query());
  const rows = await listReportGroups(c.var.db, status, limit, decodeCursor(cursor, groupCursor));
  const page = rows.slice(0, limit);
  const targets = await summarizeTargets(c, page.map((r) => ({ kind: r.target_kind, id: r.target_id })));
  const items = page.map(
    (r): ReportGroup => ({
      id: r.report_id,
      status,
      target: targets.get(`${r.target_kind}:${r.target_id}`)!,
      reporterCount: r.reporter_count,
      reasons: { spam: r.reason_spam, abuse: r.reason_abuse, sexual: r.reason_sexual, violence: r.reason_violence, copyright: r.reason_copyright, other: r.reason_other },
      details: r.details ?? [],
      newestAt: r.newest,
      resolution: status === "resolved" ? r.resolution : null,
    }),
  );
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ t: last.newest, kind: last.target_kind, id: last.target_id }) : null;
  return c.json({ items, nextCursor } satisfies Page<ReportGroup>);
});

function param<T extends z.ZodType>(c: Context<AppEnv>, schema: T, what: string): z.infer<T> {
  const parsed = schema.safeParse(c.req.param("id"));
  if (!parsed.success) throw notFound(`No such ${what}.`);
  return parsed.data;
}

adminRoutes.post("/reports/:id/resolve", async (c) => {
  const admin = c.var.user!;
  const reportId = param(c, reportIdParam, "report");
  const { action } = await readJson(c, resolveReportSchema);
  const report = await findReport(c.var.db, reportId);
  if (!report) throw notFound("No such report.");
  const target = { kind: report.targetKind, id: report.targetId };
  const log = { adminId: admin.id, reportId };
  let done: ModerationAction = action;
  if (action === "dismiss") {
    await logAction(c.var.db, { ...log, action, targetKind: target.kind, targetId: target.id });
  } else if (action === "remove" && target.kind === "video") {
    await removeVideo(c, target.id, log);
  } else if (action === "remove" && target.kind === "comment") {
    await removeComment(c, target.id, log);
  } else {
    // Suspending the creator, or "remove" of a creator (a person is not removed, but suspended).
    const owner = await targetOwner(c.var.db, target.kind, target.id);
    if (!owner) throw notFound("What was reported no longer exists; dismiss the report instead.");
    await suspendUser(c, owner, log);
    done = "suspend-creator";
  }
  const resolved = await resolveOpenReports(c.var.db, target, done, admin.id);
  return c.json({ action: done, target, resolved } satisfies ReportResolution);
});

adminRoutes.post("/users/:id/suspend", async (c) => {
  await suspendUser(c, param(c, userIdParam, "user"), { adminId: c.var.user!.id });
  return c.body(null, 204);
});

adminRoutes.post("/users/:id/unsuspend", async (c) => {
  await unsuspendUser(c, param(c, userIdParam, "user"), { adminId: c.var.user!.id });
  return c.body(null, 204);
});

adminRoutes.post("/videos/:id/restore", async (c) => {
  await restoreVideo(c, param(c, videoIdParam, "video"), { adminId: c.var.user!.id });
  return c.body(null, 204);
});

adminRoutes.post("/comments/:id/restore", async (c) => {
  await restoreComment(c, param(c, commentIdParam, "comment"), { adminId: c.var.user!.id });
  return c.body(null, 204);
});

adminRoutes.get("/moderation-log", async (c) => {
  const { limit, cursor } = parseWith(pageQuerySchema, c.req.query());
  const rows = await listModerationLog(c.var.db, limit, decodeCursor(cursor, z.strictObject({ t: usTime, id: z.uuid() })));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({
    items: page.map((r) => r.entry),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.sortTime, id: last.entry.id }) : null,
  } satisfies Page<ModerationLogEntry>);
});
