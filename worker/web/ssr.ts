// Everything that is not /api or /media is rendered by React Router. The server build comes from
// `npm run build`; wrangler.toml aliases the virtual module to it.
import { createRequestHandler } from "react-router";
import * as build from "virtual:react-router/server-build";

const handler = createRequestHandler(build as never, "production");

export function renderPage(request: Request): Promise<Response> {
  return handler(request);
}
