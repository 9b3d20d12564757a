// Loaders and actions reach the API in-process through the same public REST contract the
// browser uses (no network hop, one code path). The Worker puts the function in the router
// context for every page request.
import { createContext } from "react-router";

export type ApiFetch = (path: string, init?: RequestInit) => Promise<Response>;

export const apiContext = createContext<ApiFetch>();

/** The per-response CSP nonce the Worker allows inline scripts with (see worker/http/security-headers.ts). */
export const nonceContext = createContext<string>("");
