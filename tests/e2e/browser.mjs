// Shared set-up for the end-to-end tests: Debian's Chromium through playwright-core (installed
// in .tools by scripts/setup.sh; never a downloaded browser), the server URL from
// scripts/e2e.sh, and screenshots under tests/e2e/artifacts/.
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const tools = new URL("../../.tools/node_modules/", import.meta.url);
const require = createRequire(tools);
export const { chromium, devices } = require("playwright-core");

export const server = process.env.FACEGATE_TEST_URL;
if (!server) throw new Error("FACEGATE_TEST_URL is not set: run scripts/e2e.sh");

export const artifacts = fileURLToPath(new URL("./artifacts/", import.meta.url));
mkdirSync(artifacts, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
