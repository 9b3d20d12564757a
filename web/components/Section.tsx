// A page section named by its heading (aria-labelledby points at the <h2>).
import type { ReactNode } from "react";

type Props = {
  /** The heading's id. */
  id: string;
  title: ReactNode;
  className?: string;
  headingClassName?: string;
  children: ReactNode;
};

export function Section({ id, title, className, headingClassName = "mb-4 text-xl font-semibold", children }: Props) {
  return (
    <section aria-labelledby={id} className={className}>
      <h2 id={id} className={headingClassName}>
        {title}
      </h2>
      {children}
    </section>
  );
}
