// Form actions for reports (watch and channel pages) and the admin page's one-click actions.
// Plain forms without JavaScript, fetchers with it; every call goes through the API.
import type { RouterContextProvider } from "react-router";
import { actionResult, failure, sendJson, text } from "./api.server";
import { reportIntent } from "./report-intent";

type Ctx = Readonly<RouterContextProvider>;

/** intent "report": targetKind, targetId, reason, detail. */
export async function reportAction(context: Ctx, form: FormData) {
  const target = { kind: text(form, "targetKind"), id: text(form, "targetId") };
  const intent = reportIntent(target.kind, target.id);
  const res = await sendJson(context, "/api/reports", "POST", { target, reason: text(form, "reason"), detail: text(form, "detail") });
  if (res.status === 401) return failure("Sign in to report.", 401, {}, intent);
  return actionResult(res, intent);
}

export const adminIntents = ["resolve", "restore-video", "restore-comment", "unsuspend"] as const;

/** The /admin page's buttons: resolve a report group, or reverse an earlier action. */
export async function adminAction(context: Ctx, form: FormData) {
  const intent = text(form, "intent");
  const id = encodeURIComponent(text(form, "id"));
  let res: Response;
  switch (intent) {
    case "resolve":
      res = await sendJson(context, `/api/admin/reports/${id}/resolve`, "POST", { action: text(form, "action") });
      break;
    case "restore-video":
      res = await sendJson(context, `/api/admin/videos/${id}/restore`, "POST");
      break;
    case "restore-comment":
      res = await sendJson(context, `/api/admin/comments/${id}/restore`, "POST");
      break;
    case "unsuspend":
      res = await sendJson(context, `/api/admin/users/${id}/unsuspend`, "POST");
      break;
    default:
      return failure("Unknown action.", 400, {}, intent);
  }
  return actionResult(res, intent);
}
