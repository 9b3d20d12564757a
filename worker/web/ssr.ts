// Everything that is not /api or /media is rendered by React Router. The server build comes from
// `npm run build`; wrangler.toml aliases the virtual module to it.
import { RouterContextProvider, createRequestHandler, type RouterContext } from "react-router";
import * as build from "virtual:react-router/server-build";
import { contentSecurityPolicy, isFramablePage, newNonce, setPageSecurityHeaders } from "../http/security-headers.ts";

type ApiFetch = (path: string, init?: RequestInit) => Promise<Response>;

const handler = createRequestHandler(build as never, "production");
// Same instance the routes import (exported by web/entry.server.tsx).
const entryModule = build.entry.module as unknown as { apiContext: RouterContext<ApiFetch>; nonceContext: RouterContext<string> };
const { apiContext, nonceContext } = entryModule;

/** Forwards the visitor's cookies so loaders act as the signed-in person. */
export async function renderPage(
  request: Request,
  callApi: (request: Request) => Promise<Response>,
  security: { storageOrigin: string | null },
): Promise<Response> {
  const nonce = newNonce();
  const context = new RouterContextProvider();
  context.set(nonceContext, nonce);
  context.set(apiContext, (path, init = {}) => {
    const headers = new Headers(init.headers);
    const cookie = request.headers.get("cookie");
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    for (const name of ["cf-connecting-ip", "user-agent"]) {
      const value = request.headers.get(name);
      if (value && !headers.has(name)) headers.set(name, value);
    }
    // In-process calls are same-origin by construction.
    if (!headers.has("origin")) headers.set("origin", new URL(request.url).origin);
    return callApi(new Request(new URL(path, request.url), { ...init, headers }));
  });
  const response = await handler(request, context);
  // Headers of a page (HTML or React Router's data requests); redirects and data alike get them.
  const headers = new Headers(response.headers);
  const framable = isFramablePage(new URL(request.url).pathname);
  setPageSecurityHeaders(headers, contentSecurityPolicy({ nonce, storageOrigin: security.storageOrigin, framable }), { framable });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
