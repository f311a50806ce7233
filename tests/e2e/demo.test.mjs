// The demo merchant page, built by Trunk and served by the real facegate server with the
// sandbox vendor, driven in headless Chromium the way a user goes through it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { artifacts, devices, launch, server } from "./browser.mjs";
import { MESSAGES, pageLocale, translate } from "../../www/i18n.js";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const IPHONE = devices["iPhone 13"];

// A phone whose browser prefers `locale` (zh-CN: the people merchants verify).
async function phonePage(locale = "zh-CN") {
  const context = await browser.newContext({ ...IPHONE, defaultBrowserType: undefined, locale });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  return page;
}

async function startOnThisDevice(page) {
  await page.goto(server + "/");
  await page.locator('#device-recommended[data-provider="sandbox"]').waitFor();
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
  assert.match(detail, /确认方式\s+sandbox/);
  assert.match(await status.innerText(), /状态：认证通过/);
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
  assert.match(detail, /原因\s+liveness_failed/);
  assert.match(detail, /活体检测未通过，请本人正对屏幕重试/, "the person is told what to do next");
  await page.screenshot({ path: artifacts + "failed.png", fullPage: true });
  await page.context().close();
});

test("the device check reports the phone and recommends the sandbox's H5 flow", async () => {
  const page = await phonePage();
  await page.goto(server + "/");
  await page.locator('#device-recommended[data-provider="sandbox"]').waitFor();
  const summary = await page.locator("#device-summary").innerText();
  assert.match(summary, /运行环境\s+mobile_browser/);
  assert.match(summary, /操作系统\s+ios 1\d/);
  const recommended = page.locator("#device-recommended");
  assert.equal(await recommended.getAttribute("data-flow"), "h5_redirect");
  assert.match(await recommended.innerText(), /推荐：sandbox，方式 h5_redirect。/);
  assert.equal(await page.locator('#device-flows li[data-flow="qr_handoff"]').getAttribute("class"), "no");
  await page.context().close();
});

test("a desktop hands off to a phone by QR code and waits for the result", async () => {
  const desktop = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" })).newPage();
  desktop.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await desktop.goto(server + "/");
  await desktop.locator('#device-recommended[data-provider="sandbox"]').waitFor();
  assert.match(await desktop.locator("#device-summary").innerText(), /运行环境\s+desktop_browser/);
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
  assert.match(await status.innerText(), /此浏览器没有发起这次认证/);
  await page.context().close();
});

const MISSING = "⟦missing⟧";

test("the demo's catalogue has the same keys and placeholders in both locales, each one used", () => {
  const zh = MESSAGES["zh-CN"];
  const en = MESSAGES.en;
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(zh)) {
    assert.ok(zh[key] && en[key], `${key} is empty`);
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), `${key}: placeholders differ`);
  }
  const www = new URL("../../www/", import.meta.url);
  const sources = readFileSync(new URL("index.html", www), "utf8") + readFileSync(new URL("demo.js", www), "utf8");
  for (const key of Object.keys(zh)) {
    assert.ok(sources.includes(`"${key}"`), `${key} is used nowhere`);
  }
  for (const [, key] of sources.matchAll(/data-i18n="([^"]+)"|\bt\("([^"]+)"/g)) {
    if (key) assert.ok(key in zh, `${key} is used but not in the catalogue`);
  }
  assert.equal(pageLocale("", ["fr-FR", "en-US"]), "en");
  assert.equal(pageLocale("?lang=zh", ["en-US"]), "zh-CN");
  assert.equal(pageLocale("", ["de"]), "zh-CN");
  assert.equal(translate("en", "nowhere"), `${MISSING}nowhere`);
});

// The page's words, checked in `locale`: every marked element filled, no missing key.
async function expectLocale(page, locale, words) {
  await page.locator('#device-recommended[data-provider="sandbox"]').waitFor();
  assert.equal(await page.getAttribute("html", "lang"), locale);
  const text = await page.locator("body").innerText();
  for (const word of words) assert.ok(text.includes(word), `${locale}: the page lacks ${word}`);
  assert.ok(!(await page.content()).includes(MISSING), `${locale}: a missing key`);
  for (const element of await page.locator("[data-i18n]").all()) {
    assert.notEqual((await element.textContent()).trim(), "", "every marked element is filled");
  }
}

test("the demo is zh-CN by default and en by the browser's language or ?lang=en", async () => {
  // A browser that asks for neither: zh-CN, the helper's device messages included.
  const zh = await phonePage("fr-FR");
  await zh.goto(server + "/");
  await expectLocale(zh, "zh-CN", ["facegate 人脸核身演示", "发起人脸核身", "身份证号", "在本机认证", "本机环境"]);
  const issue = zh.locator('#device-flows li[data-flow="qr_handoff"] small').first();
  assert.match(await issue.innerText(), /[\u4e00-\u9fff]/, "the helper's issue message is zh-CN");
  await zh.screenshot({ path: artifacts + "demo-zh-CN.png", fullPage: true });

  // The switch: the same page in en, the device check's messages too.
  await Promise.all([zh.waitForURL(/lang=en/), zh.click("#lang-switch")]);
  await expectLocale(zh, "en", ["facegate face verification demo", "Start a verification", "ID number"]);
  assert.doesNotMatch(await zh.locator("#device-flows").innerText(), /[\u4e00-\u9fff]/);
  await zh.screenshot({ path: artifacts + "demo-en.png", fullPage: true });
  await zh.context().close();

  // An English browser (its Accept-Language and navigator.languages): en without asking.
  const en = await phonePage("en-US");
  await en.goto(server + "/");
  await expectLocale(en, "en", ["Verify on this device", "This device"]);
  await en.context().close();

  // ?lang=en in a Chinese browser, kept through the sandbox and back to the result page.
  const chosen = await phonePage("zh-CN");
  await chosen.goto(server + "/?lang=en");
  await expectLocale(chosen, "en", ["Verify on this device"]);
  await chosen.click("#start-button");
  await chosen.waitForURL(/\/sandbox\/h5\//);
  await chooseOnSandboxPage(chosen, "capture_failed");
  await chosen.locator('#result-status[data-status="failed"]').waitFor();
  assert.equal(new URL(chosen.url()).searchParams.get("lang"), "en");
  const detail = await chosen.locator("#result-detail").innerText();
  assert.match(detail, /what to do\s+The picture was too dark or unclear/);
  assert.match(await chosen.locator("#result-status").innerText(), /Status: failed/);
  await chosen.screenshot({ path: artifacts + "demo-result-en.png", fullPage: true });
  await chosen.context().close();
});
