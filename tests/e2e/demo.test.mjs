// The demo merchant page, built by Trunk and served by the real facegate server with the
// sandbox vendor, driven in headless Chromium the way a user goes through it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { artifacts, devices, launch, server } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const IPHONE = devices["iPhone 13"];

async function phonePage() {
  const context = await browser.newContext({ ...IPHONE, defaultBrowserType: undefined });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  return page;
}

async function startOnThisDevice(page) {
  await page.goto(server + "/");
  await page.locator("#device-recommended").filter({ hasText: "Recommended" }).waitFor();
  await page.click("#start-button");
  await page.waitForURL(/\/sandbox\/h5\//);
}

async function chooseOnSandboxPage(page, outcome) {
  await page.check(`input[name="outcome"][value="${outcome}"]`);
  await Promise.all([page.waitForURL(/\/return\?/), page.click("button[type=submit]")]);
}

test("a pass on the sandbox page lands on a confirmed verified result", async () => {
  const page = await phonePage();
  await startOnThisDevice(page);
  await chooseOnSandboxPage(page, "pass");
  const url = new URL(page.url());
  assert.match(url.searchParams.get("verification_id"), /^vs_/);
  assert.equal(url.searchParams.get("status"), "verified");
  const status = page.locator("#result-status");
  await status.and(page.locator('[data-status="verified"]')).waitFor();
  const detail = await page.locator("#result-detail").innerText();
  assert.match(detail, /confirmed by\s+sandbox/);
  assert.doesNotMatch(detail, /110101199003074514|张三/, "no personal data on the result page");
  await page.screenshot({ path: artifacts + "pass.png", fullPage: true });
  await page.context().close();
});

test("a failure comes back with its reason", async () => {
  const page = await phonePage();
  await startOnThisDevice(page);
  await chooseOnSandboxPage(page, "liveness_failed");
  await page.locator('#result-status[data-status="failed"]').waitFor();
  const detail = await page.locator("#result-detail").innerText();
  assert.match(detail, /reason\s+liveness_failed/);
  await page.screenshot({ path: artifacts + "failed.png", fullPage: true });
  await page.context().close();
});

test("the device check reports the phone and recommends the sandbox's H5 flow", async () => {
  const page = await phonePage();
  await page.goto(server + "/");
  await page.locator("#device-recommended").filter({ hasText: "Recommended" }).waitFor();
  const summary = await page.locator("#device-summary").innerText();
  assert.match(summary, /container\s+mobile_browser/);
  assert.match(summary, /system\s+ios 1\d/);
  assert.match(await page.locator("#device-recommended").innerText(), /sandbox by h5_redirect/);
  assert.equal(await page.locator('#device-flows li[data-flow="qr_handoff"]').getAttribute("class"), "no");
  await page.context().close();
});

test("a desktop hands off to a phone by QR code and waits for the result", async () => {
  const desktop = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  desktop.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await desktop.goto(server + "/");
  await desktop.locator("#device-recommended").filter({ hasText: "Recommended" }).waitFor();
  assert.match(await desktop.locator("#device-summary").innerText(), /container\s+desktop_browser/);
  await desktop.click("#handoff-button");
  await desktop.locator("#qr svg").waitFor();
  const href = await desktop.locator("#handoff-link").getAttribute("href");
  assert.match(href, /\/sandbox\/h5\//);

  const phone = await phonePage();
  await phone.goto(href);
  await chooseOnSandboxPage(phone, "pass");
  // The phone's tab did not start the session, so its landing page cannot read the result.
  await phone.locator('#result-status[data-status="error"]').waitFor();

  await desktop.locator('#handoff-status[data-status="verified"]').waitFor({ timeout: 20000 });
  await desktop.locator('#result-status[data-status="verified"]').waitFor();
  await desktop.screenshot({ path: artifacts + "handoff.png", fullPage: true });
  await desktop.context().close();
  await phone.context().close();
});

test("a landing URL from another browser shows no result", async () => {
  const page = await phonePage();
  await page.goto(server + "/return?verification_id=vs_unknown123&status=verified");
  const status = page.locator('#result-status[data-status="error"]');
  await status.waitFor();
  assert.match(await status.innerText(), /did not start this verification/);
  await page.context().close();
});
