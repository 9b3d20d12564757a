import { useEffect, type ReactNode } from "react";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRevalidator,
  useRouteLoaderData,
  type ShouldRevalidateFunctionArgs,
} from "react-router";
import type { Route } from "./+types/root";
import { nonceContext } from "./lib/api-context";
import { getMe } from "./lib/api.server";
import { getUnreadCount } from "./lib/notifications.server";
import { NotificationBell } from "./components/NotificationBell";
import { useNonce } from "./lib/nonce";
import { hasSessionHint, refreshSession } from "./lib/session";
import "./app.css";

export async function loader({ context }: Route.LoaderArgs) {
  // Both in parallel; the count is null when signed out.
  const [me, unread] = await Promise.all([getMe(context), getUnreadCount(context)]);
  return { me, unread: me ? unread : null, nonce: context.get(nonceContext) };
}

// Who is signed in changes only through forms (login, signup, logout, becoming a creator) or an
// explicit revalidation; plain navigations keep the header's data.
export function shouldRevalidate({ formMethod, currentUrl, nextUrl, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  if (formMethod && formMethod !== "GET") return defaultShouldRevalidate;
  // Leaving the sign-in page after a session was renewed in the browser.
  if (currentUrl.pathname === "/login") return true;
  return currentUrl.href === nextUrl.href ? defaultShouldRevalidate : false;
}

const navLink = ({ isActive }: { isActive: boolean }) =>
  `rounded px-2 py-1 hover:bg-neutral-800 ${isActive ? "text-white underline decoration-red-500 decoration-2 underline-offset-8" : "text-neutral-300"}`;

function Header() {
  const rootData = useRouteLoaderData<typeof loader>("root");
  const me = rootData?.me ?? null;
  const unread = rootData?.unread ?? null;
  const location = useLocation();
  const q = location.pathname === "/search" ? (new URLSearchParams(location.search).get("q") ?? "") : "";
  const revalidator = useRevalidator();

  // An expired access cookie with a live refresh cookie: renew in the browser, then reload data.
  useEffect(() => {
    if (me || !hasSessionHint() || location.pathname === "/login") return;
    const last = Number(sessionStorage.getItem("ev:refreshed") ?? 0);
    if (Date.now() - last < 30_000) return;
    sessionStorage.setItem("ev:refreshed", String(Date.now()));
    void refreshSession().then((ok) => {
      if (ok) void revalidator.revalidate();
    });
  }, [me]);

  return (
    <header className="sticky top-0 z-30 border-b border-neutral-800 bg-neutral-950">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
        <Link to="/" className="text-lg font-bold tracking-tight">
          Edge<span className="text-red-500">Video</span>
        </Link>
        <Form method="get" action="/search" role="search" className="order-last flex w-full sm:order-none sm:w-auto sm:flex-1 sm:max-w-md">
          <label htmlFor="site-search" className="sr-only">
            Search videos and creators
          </label>
          <input
            id="site-search"
            key={q}
            type="search"
            name="q"
            defaultValue={q}
            placeholder="Search"
            className="min-w-0 flex-1 rounded-l border border-neutral-600 bg-neutral-900 px-3 py-1.5 placeholder:text-neutral-400"
          />
          <button type="submit" className="rounded-r border border-l-0 border-neutral-600 bg-neutral-800 px-3 hover:bg-neutral-700">
            Search
          </button>
        </Form>
        <nav aria-label="Main" className="ml-auto">
          <ul className="flex flex-wrap items-center gap-1 text-sm">
            <li>
              <NavLink to="/" end className={navLink}>
                Home
              </NavLink>
            </li>
            <li>
              <NavLink to="/feed" className={navLink}>
                Following
              </NavLink>
            </li>
            {me?.creator && (
              <li>
                <NavLink to="/studio" end className={navLink}>
                  Studio
                </NavLink>
              </li>
            )}
            {me?.creator && (
              <li>
                <NavLink to="/studio/upload" className={navLink}>
                  Upload
                </NavLink>
              </li>
            )}
            {me && unread !== null && (
              <li>
                <NotificationBell unread={unread} />
              </li>
            )}
            {me ? (
              <li>
                <Form
                  method="post"
                  action="/logout"
                  onSubmit={() => {
                    // The refresh cookie only reaches /api/auth: revoke it from here, then sign out.
                    void fetch("/api/auth/logout", { method: "POST", headers: { "content-type": "application/json" }, body: "{}", keepalive: true });
                  }}
                >
                  <button type="submit" className="rounded px-2 py-1 text-neutral-300 hover:bg-neutral-800" title={me.user.email}>
                    Sign out
                  </button>
                </Form>
              </li>
            ) : (
              <>
                <li>
                  <NavLink to="/login" className={navLink}>
                    Sign in
                  </NavLink>
                </li>
                <li>
                  <Link to="/signup" className="rounded bg-red-600 px-3 py-1 font-medium text-white hover:bg-red-700">
                    Sign up
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // The embed player (framed by other sites) is the player alone.
  const bare = useLocation().pathname.startsWith("/embed/");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <link
          rel="icon"
          href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23dc2626'/%3E%3Cpath d='M12 9v14l11-7z' fill='white'/%3E%3C/svg%3E"
        />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen bg-neutral-950 text-neutral-100 antialiased">
        {!bare && (
          <a href="#main" className="sr-only z-50 rounded bg-white px-3 py-2 text-black focus:not-sr-only focus:fixed focus:left-2 focus:top-2">
            Skip to content
          </a>
        )}
        {!bare && <Header />}
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) && typeof error.data?.message === "string" ? error.data.message : null;
  const message =
    status === 404 ? "This page does not exist." : (detail ?? "Something went wrong. Please try again.");
  return (
    <main id="main" className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">{status === 404 ? "Not found" : "Something went wrong"}</h1>
      <p className="mt-2 text-neutral-300">{message}</p>
      <Link className="mt-4 inline-block underline" to="/">
        Go home
      </Link>
    </main>
  );
}
