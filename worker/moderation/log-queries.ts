// The moderation log, newest first, with whether each action is still in effect (so the admin
// page offers "reverse" only where there is something to reverse).
import { sql } from "drizzle-orm";
import type { ModerationAction, ModerationLogEntry, ReportTargetKind } from "#contract/api.ts";
import { moderationLog } from "#db/community-schema.ts";
import { comments, users, videos } from "#db/schema.ts";
import type { Database } from "../db/connection.ts";

type Row = {
  id: string;
  action: ModerationAction;
  target_kind: ReportTargetKind;
  target_id: string;
  admin_id: string | null;
  admin_email: string | null;
  report_id: string | null;
  note: string;
  created_at: string;
  sort_time: string;
  in_effect: boolean;
};

export async function listModerationLog(db: Database, limit: number, after?: { t: string; id: string }) {
  const cursor = after ? sql`where (l.created_at, l.id) < (${after.t}::timestamptz, ${after.id}::uuid)` : sql``;
  // In effect: a removal whose target is still removed, a suspension whose account still is.
  const result = await db.execute<Row>(sql`
    select l.id, l.action, l.target_kind, l.target_id, l.admin_id, a.email as admin_email, l.report_id, l.note,
      to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
      to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_time,
      case
        when l.action = 'remove' and l.target_kind = 'video' then exists (select 1 from ${videos} v where v.id = l.target_id and v.removed_at is not null)
        when l.action = 'remove' and l.target_kind = 'comment' then exists (select 1 from ${comments} cm where cm.id = l.target_id and cm.removed_at is not null)
        when l.action = 'suspend-creator' then exists (select 1 from ${users} u where u.id = l.target_id and u.suspended_at is not null)
        else false
      end as in_effect
    from ${moderationLog} l
    left join ${users} a on a.id = l.admin_id
    ${cursor}
    order by l.created_at desc, l.id desc
    limit ${limit + 1}`);
  return result.rows.map((r) => ({
    sortTime: r.sort_time,
    entry: {
      id: r.id,
      action: r.action,
      target: { kind: r.target_kind, id: r.target_id },
      admin: r.admin_id && r.admin_email ? { id: r.admin_id, email: r.admin_email } : null,
      reportId: r.report_id,
      note: r.note,
      createdAt: r.created_at,
      reversible: Boolean(r.in_effect),
    } satisfies ModerationLogEntry,
  }));
}
