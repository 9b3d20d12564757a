// The header's bell: a link to /notifications whose accessible name carries the unread count
// ("Notifications, 3 unread"); the visible badge repeats it for sighted users.
import { NavLink } from "react-router";

function BellIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

export function NotificationBell({ unread }: { unread: number }) {
  const badge = unread > 99 ? "99+" : String(unread);
  return (
    <NavLink
      to="/notifications"
      aria-label={`Notifications, ${unread} unread`}
      data-testid="notification-bell"
      className={({ isActive }) => `relative inline-flex items-center rounded px-2 py-1 hover:bg-neutral-800 ${isActive ? "text-white" : "text-neutral-300"}`}
    >
      <BellIcon />
      {unread > 0 && (
        <span aria-hidden="true" className="absolute -right-1 -top-1 min-w-5 rounded-full bg-red-600 px-1 text-center text-xs font-semibold leading-5 text-white">
          {badge}
        </span>
      )}
    </NavLink>
  );
}
