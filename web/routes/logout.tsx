import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { cookieHeaders, sendJson } from "../lib/api.server";
import { clearHintCookie } from "../lib/session";

export const loader = () => redirect("/");

export async function action({ context }: Route.ActionArgs) {
  // Clears both session cookies. (The refresh token itself is revoked by the browser's own call
  // to /api/auth/logout, the only path its cookie is sent to.)
  const res = await sendJson(context, "/api/auth/logout", "POST", {});
  return redirect("/", { headers: cookieHeaders(res, clearHintCookie) });
}
