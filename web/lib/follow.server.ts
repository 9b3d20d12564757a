// The follow/unfollow form action shared by the watch and channel pages.
import type { RouterContextProvider } from "react-router";
import { actionResult, failure, sendJson, text } from "./api.server";

export async function followAction(context: Readonly<RouterContextProvider>, form: FormData) {
  const creatorId = text(form, "creatorId");
  const intent = text(form, "intent");
  if (!creatorId || (intent !== "follow" && intent !== "unfollow")) return failure("Choose a creator to follow.", 400, {}, intent);
  const res = await sendJson(context, `/api/creators/${encodeURIComponent(creatorId)}/follow`, intent === "follow" ? "PUT" : "DELETE");
  if (res.status === 401) return failure("Sign in to follow creators.", 401, {}, intent);
  return actionResult(res, intent);
}
