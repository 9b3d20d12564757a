// The Worker's HTTP surface: Hono owns /api (and /media), React Router renders the rest.
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { closeAfterResponse, databaseMiddleware, lazyDatabase, lendDatabase } from "./db/middleware.ts";
import { feedRoutes } from "./accounts/feed-routes.ts";
import { meRoutes } from "./accounts/me-routes.ts";
import { progressRoutes } from "./progress/routes.ts";
import { authenticate } from "./auth/middleware.ts";
import { authRoutes } from "./auth/routes.ts";
import { refuseSuspendedWriters } from "./auth/suspension.ts";
import { adminRoutes } from "./moderation/admin-routes.ts";
import { reportRoutes } from "./moderation/report-routes.ts";
import { commentRoutes } from "./comments/routes.ts";
import { likeRoutes } from "./likes/routes.ts";
import { captionRoutes } from "./captions/routes.ts";
import { chapterRoutes } from "./chapters/routes.ts";
import { creatorRoutes } from "./creators/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { mediaRoutes } from "./media/routes.ts";
import { problemResponse, toProblemResponse } from "./http/problem.ts";
import { apiSecurityHeaders } from "./http/security-headers.ts";
import { transcodeCallbackRoutes } from "./transcode/callback-routes.ts";
import { searchRoutes } from "./discovery/routes.ts";
import { videoRoutes } from "./videos/routes.ts";
import { renderPage } from "./web/ssr.ts";
import { rssRoutes } from "./feeds/routes.ts";
import { adminQuotaRoutes } from "./quotas/admin-routes.ts";
import { oembedRoutes } from "./embed/oembed-routes.ts";

const api = new Hono<AppEnv>();
api.use(apiSecurityHeaders);
api.use(databaseMiddleware);
api.use(authenticate);
api.use(refuseSuspendedWriters);
api.route("/auth", authRoutes);
// Each resource owns its routes and is mounted once.
api.route("/me", meRoutes);
api.route("/me/progress", progressRoutes);
api.route("/creators", creatorRoutes);
api.route("/videos", videoRoutes);
// Comments and likes span /videos/:id/… and /comments/…, so they mount at the root of /api.
api.route("/", commentRoutes);
api.route("/", likeRoutes);
api.route("/", captionRoutes);
api.route("/", chapterRoutes);
api.route("/feed", feedRoutes);
api.route("/reports", reportRoutes);
api.route("/admin", adminRoutes);
// PATCH /api/admin/users/:id/quota; the moderation routes under /admin mount on their own.
api.route("/admin", adminQuotaRoutes);
api.route("/search", searchRoutes);
api.route("/health", healthRoutes);
// Liveness without touching the database; also the ceiling in bench/api.
api.get("/ping", (c) => c.json({ ok: true }));
api.route("/internal/transcode", transcodeCallbackRoutes);
// Registered last so that unknown /api paths never fall through to the page renderer.
api.all("*", () => problemResponse({ status: 404, detail: "No such API route." }));
api.onError((err, c) => toProblemResponse(err, c));

const storageOrigin = (endpoint: string) => {
  try {
    return new URL(endpoint).origin;
  } catch {
    return null;
  }
};

export const app = new Hono<AppEnv>();
app.route("/api", api);
app.route("/media", mediaRoutes);
app.route("/", rssRoutes);
app.route("/", oembedRoutes);
app.all("*", async (c) => {
  // Every in-process API call of this page shares one database connection (opened by the first
  // that queries), closed once the page is rendered: loaders have all finished by then.
  const database = lazyDatabase(c.env);
  try {
    return await renderPage(c.req.raw, (request) => Promise.resolve(app.fetch(lendDatabase(request, database.db), c.env, c.executionCtx)), {
      // Browsers upload parts straight to storage: the CSP must let them connect there.
      storageOrigin: storageOrigin(c.env.S3_ENDPOINT),
    });
  } finally {
    await closeAfterResponse(c, database);
  }
});
app.onError((err, c) => toProblemResponse(err, c));
