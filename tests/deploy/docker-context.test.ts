// README "Deploying": `wrangler deploy` builds the transcoder image with the repository root as
// the Docker build context and the Dockerfile piped on stdin, so only the root .dockerignore
// applies. This walks the working tree the way Docker does (moby/patternmatcher: last matching
// pattern wins, a pattern also matches a file's parent directories, "!" re-includes) and checks
// what would be sent.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const MAX_CONTEXT_BYTES = 5 * 1024 * 1024;

type Rule = { exclude: boolean; pattern: string; regex: RegExp };

/** moby/patternmatcher's translation: "**" any path, "*" and "?" within one segment (dotfiles too). */
function toRegex(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        out += "(.*/)?";
      } else out += ".*";
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i);
      out += pattern.slice(i, end + 1).replace(/^\[!/, "[^");
      i = end;
    } else out += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

function parseIgnore(text: string): Rule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const exclude = !line.startsWith("!");
      const pattern = path.posix.normalize((exclude ? line : line.slice(1)).trim()).replace(/^\/+|\/+$/g, "");
      return { exclude, pattern, regex: toRegex(pattern) };
    });
}

function isExcluded(rel: string, rules: Rule[]): boolean {
  const parts = rel.split("/");
  let excluded = false;
  for (const rule of rules) {
    for (let i = 1; i <= parts.length; i++) {
      if (rule.regex.test(parts.slice(0, i).join("/"))) {
        excluded = rule.exclude;
        break;
      }
    }
  }
  return excluded;
}

/** Files Docker would send, with sizes; stops counting once past `limit` bytes. */
async function buildContext(rules: Rule[], limit = Infinity): Promise<{ files: Map<string, number>; bytes: number }> {
  const files = new Map<string, number>();
  let bytes = 0;
  // An excluded directory is entered only if an exception pattern could match inside it.
  const reincludes = rules.filter((r) => !r.exclude).map((r) => r.pattern);
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      if (bytes > limit) return;
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (isExcluded(rel, rules) && !reincludes.some((p) => p === rel || p.startsWith(`${rel}/`) || p.includes("*"))) continue;
        await walk(rel);
      } else if (!isExcluded(rel, rules)) {
        const size = (await lstat(path.join(root, rel))).size;
        files.set(rel, size);
        bytes += size;
      }
    }
  }
  await walk("");
  return { files, bytes };
}

/** The sources of every COPY in the Dockerfile (paths relative to the context). */
async function copySources(): Promise<string[]> {
  const dockerfile = await readFile(path.join(root, "transcode-container/Dockerfile"), "utf8");
  return dockerfile
    .split("\n")
    .filter((line) => /^COPY\s/i.test(line) && !/--from/.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1))
    .map((src) => src.replace(/\/+$/, ""));
}

describe("Docker build context of the transcoder image", () => {
  it("the root .dockerignore keeps the context small and still holds everything the Dockerfile copies", async () => {
    const rules = parseIgnore(await readFile(path.join(root, ".dockerignore"), "utf8"));
    const { files, bytes } = await buildContext(rules);
    console.log(`docker build context: ${files.size} files, ${(bytes / 1024).toFixed(0)} KiB`);
    expect(bytes).toBeLessThan(MAX_CONTEXT_BYTES);
    for (const src of await copySources()) {
      expect([...files.keys()].some((f) => f === src || f.startsWith(`${src}/`)), `COPY ${src}`).toBe(true);
    }
    for (const secret of [".dev.vars", ".data", "node_modules", "build", "tests", ".git", "bench", ".wrangler"]) {
      expect([...files.keys()].filter((f) => f === secret || f.startsWith(`${secret}/`) || f.includes("/node_modules/")), secret).toEqual([]);
    }
  });

  it("is the same list as transcode-container/Dockerfile.dockerignore (what the image test builds with)", async () => {
    const root_ = parseIgnore(await readFile(path.join(root, ".dockerignore"), "utf8"));
    const beside = parseIgnore(await readFile(path.join(root, "transcode-container/Dockerfile.dockerignore"), "utf8"));
    expect(root_.map((r) => [r.exclude, r.pattern])).toEqual(beside.map((r) => [r.exclude, r.pattern]));
  });

  it("without it the context would be the whole checkout (what the check guards against)", async () => {
    const { bytes } = await buildContext([], MAX_CONTEXT_BYTES);
    expect(bytes).toBeGreaterThan(MAX_CONTEXT_BYTES);
  });
});
