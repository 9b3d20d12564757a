import { useRouteLoaderData } from "react-router";

/** The CSP nonce for inline scripts (the root loader passes on the Worker's per-response nonce). */
export function useNonce(): string | undefined {
  return useRouteLoaderData<{ nonce?: string }>("root")?.nonce || undefined;
}
