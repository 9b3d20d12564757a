// Builds the real transcoder image (transcode-container/Dockerfile) without a Docker engine, and
// runs it, so tests can send work through exactly what production ships.
//
// Docker Hub is out of reach here, so the Dockerfile's `FROM ${BASE}` gets a local stand-in for
// node:24-bookworm-slim (transcoder-base-images.ts: Debian + FFmpeg via mmdebstrap/podman, then
// node and npm on top), then `buildah bud` of the unchanged Dockerfile. Every image is tagged with
// a hash of what went into it, so a second run with nothing changed only hashes files (seconds).
// Running the image, with its watchdog, is transcoder-image-run.ts.
//
//   node_modules/.bin/node scripts/stack/transcoder-image.ts   # build (or reuse), print tag + timings
//   TRANSCODER_IMAGE_REFRESH=1 …                               # rebuild the Debian base (new packages)
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { digest, imageExists, imageId, imageToolsMissing, pruneOtherTags, root, run } from "./image-tools.ts";
import { CACHE_DIR, RECIPE, debianBase, lastBuild, nodeBaseImage } from "./transcoder-base-images.ts";

export { imageToolsMissing, root } from "./image-tools.ts";
export { lastBuild } from "./transcoder-base-images.ts";
export { runTranscoderImage, type RunningImage } from "./transcoder-image-run.ts";

const DOCKERFILE = "transcode-container/Dockerfile";
const IGNOREFILE = "transcode-container/Dockerfile.dockerignore";
const IMAGE_REPO = "localhost/edge-video-transcoder";

/** Builds the transcoder image (or finds it already built) and returns its tag. */
export async function buildTranscoderImage(options: { log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(`[transcoder-image] ${line}`));
  const missing = imageToolsMissing();
  if (missing.length) throw new Error(`Building the transcoder image needs ${missing.join(", ")}: apt-get install -y buildah mmdebstrap podman`);
  const started = Date.now();
  for (const key of Object.keys(lastBuild)) delete lastBuild[key as keyof typeof lastBuild];
  await mkdir(CACHE_DIR, { recursive: true });

  const debian = await debianBase(log);
  const nodeBase = await nodeBaseImage(debian, log);

  const contextHash = await hashContext();
  const tag = `${IMAGE_REPO}:${digest(["image", RECIPE, await imageId(nodeBase), contextHash])}`;
  if (await imageExists(tag)) {
    lastBuild.cached = lastBuild.debianBaseMs === undefined && lastBuild.nodeBaseMs === undefined;
    lastBuild.totalMs = Date.now() - started;
    log(`up to date: ${tag} (${lastBuild.totalMs} ms)`);
    return tag;
  }
  log(`building ${tag} from ${DOCKERFILE}…`);
  const t = Date.now();
  await run("buildah", [
    "bud",
    "--isolation", "chroot",
    "--network", "host",
    // Reuse the npm ci layer while only sources change.
    "--layers",
    // Exactly the files production sends (Docker reads <Dockerfile>.dockerignore; buildah 1.28
    // would read the root .dockerignore instead).
    "--ignorefile", IGNOREFILE,
    "--build-arg", `BASE=${nodeBase}`,
    "-f", DOCKERFILE,
    "-t", tag,
    ".",
  ], { cwd: root, log });
  lastBuild.imageMs = Date.now() - t;
  await pruneOtherTags(IMAGE_REPO, tag);
  lastBuild.cached = false;
  lastBuild.totalMs = Date.now() - started;
  log(`built ${tag} in ${(lastBuild.imageMs / 1000).toFixed(1)} s (total ${(lastBuild.totalMs / 1000).toFixed(1)} s)`);
  return tag;
}

/**
 * Hash of the build context as production sends it: the Dockerfile, its ignore file and every
 * file that ignore file lets through. The ignore file must be a whitelist (`*` then `!path`).
 */
async function hashContext(): Promise<string> {
  const ignore = await readFile(path.join(root, IGNOREFILE), "utf8");
  const lines = ignore.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (lines[0] !== "*" || lines.slice(1).some((l) => !l.startsWith("!"))) {
    throw new Error(`${IGNOREFILE} must be a whitelist ("*" then "!path" lines) for the image cache hash`);
  }
  const files: string[] = [];
  for (const entry of lines.slice(1)) {
    const rel = entry.slice(1).replace(/^\/+|\/+$/g, "");
    const abs = path.join(root, rel);
    if (!existsSync(abs)) continue;
    if ((await stat(abs)).isDirectory()) files.push(...walk(abs));
    else files.push(abs);
  }
  const hash = createHash("sha256");
  for (const file of [path.join(root, DOCKERFILE), path.join(root, IGNOREFILE), ...[...new Set(files)].sort()]) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tag = await buildTranscoderImage();
  console.log(JSON.stringify({ tag, ...lastBuild }));
}
