// Report data functions: one open report per reporter and target (a unique partial index), the
// admin queue grouped by target, and resolving every open report on a target at once.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { reportReasons, type ModerationAction, type ReportReason, type ReportStatus, type ReportTargetKind } from "#contract/api.ts";
import { moderationLog, reports } from "#db/community-schema.ts";
import type { Database } from "../db/connection.ts";

type NewReport = { reporterId: string; targetKind: ReportTargetKind; targetId: string; reason: ReportReason; detail: string };

/** Files a report; a repeat while the first is open returns the first's id (`created` false). */
export async function fileReport(db: Database, values: NewReport): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insert(reports)
    .values(values)
    .onConflictDoNothing({ target: [reports.reporterId, reports.targetKind, reports.targetId], where: sql`status = 'open'` })
    .returning({ id: reports.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [open] = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.reporterId, values.reporterId), eq(reports.targetKind, values.targetKind), eq(reports.targetId, values.targetId), eq(reports.status, "open")));
  // Resolved between the two statements: file it again.
  return open ? { id: open.id, created: false } : fileReport(db, values);
}

export async function findReport(db: Database, id: string) {
  const [row] = await db.select().from(reports).where(eq(reports.id, id));
  return row ?? null;
}

/** Microsecond UTC text of a time, so cursors neither skip nor repeat groups. */
const usText = (expr: SQL) => sql<string>`to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type GroupRow = {
  target_kind: ReportTargetKind;
  target_id: string;
  report_id: string;
  reporter_count: number;
  newest: string;
  resolution: ModerationAction | null;
  details: string[] | null;
} & Record<`reason_${ReportReason}`, number>;

/** Reports of one status grouped by target, the newest report first; one more than `limit`. */
export async function listReportGroups(db: Database, status: ReportStatus, limit: number, after?: { t: string; kind: ReportTargetKind; id: string }) {
  const reasonCounts = sql.join(
    reportReasons.map((r) => sql`count(*) filter (where reason = ${r})::int as ${sql.identifier(`reason_${r}`)}`),
    sql`, `,
  );
  const newest = sql`max(created_at)`;
  const cursor = after ? sql`having (${newest}, target_kind, target_id) < (${after.t}::timestamptz, ${after.kind}, ${after.id}::uuid)` : sql``;
  const result = await db.execute<GroupRow>(sql`
    select target_kind, target_id,
      (array_agg(id order by created_at desc, id desc))[1] as report_id,
      count(distinct reporter_id)::int as reporter_count,
      ${usText(newest)} as newest,
      (array_agg(resolution order by resolved_at desc nulls last))[1] as resolution,
      (array_agg(detail order by created_at desc) filter (where detail <> ''))[1:5] as details,
      ${reasonCounts}
    from ${reports}
    where status = ${status}
    group by target_kind, target_id
    ${cursor}
    order by ${newest} desc, target_kind desc, target_id desc
    limit ${limit + 1}`);
  return result.rows;
}

/** Resolves every open report on the target; returns how many were open. */
export async function resolveOpenReports(db: Database, target: { kind: ReportTargetKind; id: string }, resolution: ModerationAction, adminId: string): Promise<number> {
  const rows = await db
    .update(reports)
    .set({ status: "resolved", resolution, resolvedBy: adminId, resolvedAt: sql`now()` })
    .where(and(eq(reports.targetKind, target.kind), eq(reports.targetId, target.id), eq(reports.status, "open")))
    .returning({ id: reports.id });
  return rows.length;
}

export async function logAction(
  db: Pick<Database, "insert">,
  entry: { adminId: string; action: ModerationAction; targetKind: ReportTargetKind; targetId: string; reportId?: string | null; note?: string },
): Promise<void> {
  await db.insert(moderationLog).values({ ...entry, reportId: entry.reportId ?? null, note: entry.note ?? "" });
}
