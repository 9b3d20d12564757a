// The development-only values of .dev.vars.example, read from that file itself (bundled as
// text), so the production preflight refuses exactly what the example hands out.
import exampleFile from "../../.dev.vars.example";

/** KEY=VALUE lines; comments and blank lines skipped. */
export function parseVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf("=");
    if (line.trimStart().startsWith("#") || at <= 0) continue;
    vars.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return vars;
}

export const EXAMPLE_VARS: ReadonlyMap<string, string> = parseVars(exampleFile);

/** Every non-empty example value: none of them may be a production secret, under any name. */
export const EXAMPLE_VALUES: ReadonlySet<string> = new Set([...EXAMPLE_VARS.values()].filter((v) => v !== ""));
