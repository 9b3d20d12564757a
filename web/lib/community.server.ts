// The watch page's comment and like form actions (intent: comment — with parentId a reply —,
// delete-comment, like/unlike for the video or a comment). Plain forms without JavaScript, fetchers with it.
import type { RouterContextProvider } from "react-router";
import { actionResult, failure, sendJson, text } from "./api.server";
import { replyIntent } from "./comment-links";

export const communityIntents = ["comment", "delete-comment", "like-video", "unlike-video", "like-comment", "unlike-comment"] as const;

export async function communityAction(context: Readonly<RouterContextProvider>, form: FormData, videoId: string) {
  const intent = text(form, "intent");
  const commentId = encodeURIComponent(text(form, "commentId"));
  const video = encodeURIComponent(videoId);
  let res: Response;
  let outcome = intent;
  switch (intent) {
    case "comment": {
      const parentId = text(form, "parentId");
      res = await sendJson(context, `/api/videos/${video}/comments`, "POST", { body: text(form, "body"), ...(parentId ? { parentId } : {}) });
      // A reply's outcome belongs to its thread's form.
      if (parentId) outcome = replyIntent(parentId);
      break;
    }
    case "delete-comment":
      res = await sendJson(context, `/api/comments/${commentId}`, "DELETE");
      break;
    case "like-video":
    case "unlike-video":
      res = await sendJson(context, `/api/videos/${video}/like`, intent === "like-video" ? "PUT" : "DELETE");
      break;
    case "like-comment":
    case "unlike-comment":
      res = await sendJson(context, `/api/comments/${commentId}/like`, intent === "like-comment" ? "PUT" : "DELETE");
      break;
    default:
      return failure("Unknown action.", 400, {}, intent);
  }
  if (res.status === 401) return failure("Sign in to comment and like.", 401, {}, outcome);
  return actionResult(res, outcome);
}
