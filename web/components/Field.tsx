import type { InputHTMLAttributes, ReactNode } from "react";

/** The look of a form control (input, textarea, select); an invalid one gets a red border. */
export const controlClass = "w-full rounded border border-neutral-600 bg-neutral-900 px-3 py-2 aria-[invalid]:border-red-400";

/** A control under its label. */
export function Labelled({ id, label, children }: { id: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children}
    </div>
  );
}

/** A labelled input with its hint and error wired up for assistive technology. */
export function Field({ label, name, error, hint, ...input }: { label: string; name: string; error?: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = input.id ?? `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <Labelled id={id} label={label}>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={controlClass} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="text-sm text-neutral-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-300">
          {error}
        </p>
      )}
    </Labelled>
  );
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded border border-red-800 bg-red-950 p-3 text-sm text-red-100">
      {message}
    </p>
  );
}

export const primaryButton =
  "rounded bg-red-600 px-4 py-2 font-medium text-white hover:bg-red-700 disabled:cursor-wait disabled:opacity-70";
