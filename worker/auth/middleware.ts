// `authenticate`: sets c.var.user from `Authorization: Bearer` (which wins) or the access cookie.
// A bad bearer token is an error the client must see (401); a bad cookie is just a stale browser
// session and the request continues anonymously. Cookie-authenticated changes must pass the
// Origin check (CSRF); bearer requests cannot be forged cross-site and skip it.
import { createMiddleware } from "hono/factory";
import type { AppEnv, AuthUser } from "../context.ts";
import { Problem } from "../http/problem.ts";
import { readAccessCookie } from "./cookies.ts";
import { assertSameOrigin, isMutating } from "./origin.ts";
import { verifyAccessToken } from "./tokens.ts";

const BEARER = /^Bearer[ ]+([^ ]+)[ ]*$/i;

function invalidBearer(detail: string): Problem {
  return new Problem({
    status: 401,
    detail,
    headers: { "www-authenticate": 'Bearer error="invalid_token"' },
  });
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  let user: AuthUser | null = null;
  const authorization = c.req.header("authorization");
  if (authorization !== undefined && /^Bearer\b/i.test(authorization)) {
    const match = BEARER.exec(authorization);
    if (!match) throw invalidBearer("The Authorization header is malformed.");
    const claims = await verifyAccessToken(c.env, match[1]!);
    if (!claims) throw invalidBearer("The access token is invalid or has expired.");
    user = { id: claims.userId, role: claims.role, via: "bearer" };
  } else {
    const cookie = readAccessCookie(c);
    const claims = cookie ? await verifyAccessToken(c.env, cookie) : null;
    if (claims) {
      user = { id: claims.userId, role: claims.role, via: "cookie" };
      if (isMutating(c.req.method)) assertSameOrigin(c);
    }
  }
  c.set("user", user);
  await next();
});
