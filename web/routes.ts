import { type RouteConfig, index, route } from "@react-router/dev/routes";

// Page URLs are part of the public contract (shared/API.md, "Pages").
export default [
  index("routes/home.tsx"),
  route("watch/:videoId", "routes/watch.tsx"),
  // The one page other sites may frame (worker/http/security-headers.ts).
  route("embed/:videoId", "routes/embed.tsx"),
  route("c/:creatorId", "routes/channel.tsx"),
  route("feed", "routes/feed.tsx"),
  route("search", "routes/search.tsx"),
  route("signup", "routes/signup.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("studio", "routes/studio.tsx"),
  route("studio/upload", "routes/studio.upload.tsx"),
  route("admin", "routes/admin.tsx"),
  route("notifications", "routes/notifications.tsx"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
