// "← Back to …": the way back from a later page of a list (or up to a parent page).
import type { ReactNode } from "react";
import { Link } from "react-router";

export function BackLink({ to, children, className = "mb-4" }: { to: string; children: ReactNode; className?: string }) {
  return (
    <p className={className}>
      <Link to={to} className="underline">
        ← {children}
      </Link>
    </p>
  );
}
