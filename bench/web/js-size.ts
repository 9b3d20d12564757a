// JavaScript each page downloads before it is interactive, gzipped (level 9), from the React Router
// build (build/client): the entry, its imports, the root route and the page's route module with
// their static imports. The route manifest is inlined in the HTML (lazy route discovery), so its
// file is not counted. Lazy chunks (hls.js on the watch page) are listed separately.
//   node bench/web/js-size.ts            (after `react-router build`)
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export type PageSize = { route: string; files: number; rawBytes: number; gzipBytes: number };

const root = path.resolve(import.meta.dirname, "../..");
const client = path.join(root, "build", "client");

type RouteEntry = { module: string; imports?: string[] };
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, RouteEntry> };

export function readManifest(): { manifest: Manifest; file: string } {
  const assets = path.join(client, "assets");
  const file = readdirSync(assets).find((f) => /^manifest-[\w-]+\.js$/.test(f));
  if (!file) throw new Error("No React Router manifest in build/client/assets: run `react-router build` first.");
  const text = readFileSync(path.join(assets, file), "utf8");
  return { manifest: JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as Manifest, file: `/assets/${file}` };
}

export const gzipSize = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

export function pageSizes(): PageSize[] {
  const { manifest } = readManifest();
  const files = (id: string) => {
    const r = manifest.routes[id]!;
    return [r.module, ...(r.imports ?? [])];
  };
  return Object.keys(manifest.routes)
    .filter((id) => id !== "root")
    .map((id) => {
      const set = new Set([manifest.entry.module, ...manifest.entry.imports, ...files("root"), ...files(id)]);
      let rawBytes = 0;
      let gzipBytes = 0;
      for (const f of set) {
        const bytes = readFileSync(path.join(client, f));
        rawBytes += bytes.length;
        gzipBytes += gzipSize(bytes);
      }
      return { route: id.replace(/^routes\//, ""), files: set.size, rawBytes, gzipBytes };
    });
}

/** Chunks loaded on demand (dynamic import), e.g. hls.js. */
export function lazyChunks(pattern: RegExp): { file: string; gzipBytes: number }[] {
  const assets = path.join(client, "assets");
  return readdirSync(assets)
    .filter((f) => pattern.test(f))
    .map((f) => ({ file: f, gzipBytes: gzipSize(readFileSync(path.join(assets, f))) }));
}

if (import.meta.main) {
  const kB = (n: number) => (n / 1000).toFixed(1);
  console.log("page                  files   raw kB   gzip kB");
  for (const p of pageSizes()) console.log(`${p.route.padEnd(22)}${String(p.files).padStart(5)}${kB(p.rawBytes).padStart(9)}${kB(p.gzipBytes).padStart(10)}`);
  for (const c of lazyChunks(/^hls/)) console.log(`lazy ${c.file}: ${kB(c.gzipBytes)} kB gzip`);
}
