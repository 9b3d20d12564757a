// Reads KEY=VALUE files (.dev.vars); development-only secrets live there.
import { copyFile, readFile, access } from "node:fs/promises";

export async function ensureDevVars(root: string): Promise<void> {
  const target = `${root}/.dev.vars`;
  try {
    await access(target);
  } catch {
    await copyFile(`${root}/.dev.vars.example`, target);
  }
}

export async function readDevVars(file: string): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, "$1");
  }
  return vars;
}
