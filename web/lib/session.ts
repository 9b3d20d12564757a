// A readable hint cookie that says "this browser has a session" (the real tokens are httpOnly).
// The refresh cookie is only sent to /api/auth, so pages cannot renew an expired access token on
// the server; with the hint, the browser renews it itself and reloads the data.
export const SESSION_HINT = "ev_session";
export const hintCookie = `${SESSION_HINT}=1; Path=/; Max-Age=2592000; SameSite=Lax`;
export const clearHintCookie = `${SESSION_HINT}=; Path=/; Max-Age=0; SameSite=Lax`;

export const hasSessionHint = () => typeof document !== "undefined" && document.cookie.includes(`${SESSION_HINT}=1`);

let refreshing: Promise<boolean> | null = null;

/** Renews the access cookie. One renewal at a time: two concurrent ones would look like refresh-token reuse. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/api/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
    .then((res) => {
      if (res.status === 401) document.cookie = clearHintCookie;
      return res.ok;
    })
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 1000));
  return refreshing;
}
