// The helper's language in a real browser: Debian's Chromium through playwright-core, with the
// browser's own language set per context (navigator.language / languages, Accept-Language).
// checkDevice answers zh-CN by default, en when asked through its locale option, and follows
// navigator.languages where the merchant sets nothing; setLocale comes before the browser's.
// Needs web/pkg (scripts/wasm-pack.sh) but no server: the package is served through
// page.route from an https origin, so the page is a secure context.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(new URL("../../.tools/node_modules/", import.meta.url));
const { chromium } = require("playwright-core");
const pkg = new URL("../../web/pkg/", import.meta.url);
const catalogue = JSON.parse(readFileSync(new URL("../cases/messages.json", import.meta.url)));
const origin = "https://facegate.test";
const types = { ".js": "text/javascript", ".wasm": "application/wasm" };

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});
after(() => browser?.close());

/** A page of `origin` in a context whose browser language is `locale`, with the helper loaded. */
async function pageIn(locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await page.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>facegate</title>" });
    const name = path.replace(/^\/pkg\//, "");
    if (!/^facegate(_bg\.wasm|\.js)$/.test(name)) return route.fulfill({ status: 404, body: "" });
    return route.fulfill({ contentType: types[name.slice(name.lastIndexOf("."))], body: readFileSync(new URL(name, pkg)) });
  });
  await page.goto(`${origin}/`);
  await page.evaluate(async () => {
    const helper = await import("/pkg/facegate.js");
    await helper.default();
    window.facegate = helper;
  });
  return { page, context };
}

/** checkDevice in the page: the WeChat flow's issue and the QR flow's recommendation. */
function check(page, options) {
  return page.evaluate(async (options) => {
    const report = await window.facegate.checkDevice(["sandbox"], options ?? undefined);
    const wechat = report.flows.find((flow) => flow.flow === "wechat_mini_program").issues[0];
    return { language: navigator.language, issue: wechat, recommended: report.recommended };
  }, options);
}

const issue = catalogue.device_issues.not_in_wechat_mini_program;

test("a zh-CN browser gets zh-CN; the locale option asks for en", async () => {
  const { page, context } = await pageIn("zh-CN");
  const zh = await check(page);
  assert.equal(zh.language, "zh-CN");
  assert.deepEqual(zh.issue, { code: "not_in_wechat_mini_program", message: issue["zh-CN"] });
  assert.ok(/[\u4e00-\u9fff]/.test(zh.recommended.message), zh.recommended.message);
  const en = await check(page, { locale: "en" });
  assert.deepEqual(en.issue, { code: "not_in_wechat_mini_program", message: issue.en });
  assert.equal(en.recommended.reason, zh.recommended.reason, "codes do not change with the language");
  assert.equal(en.recommended.message, catalogue.recommendations[en.recommended.reason].en);
  await context.close();
});

test("an en-US browser gets en where the merchant sets nothing; zh-CN when asked", async () => {
  const { page, context } = await pageIn("en-US");
  const en = await check(page);
  assert.equal(en.language, "en-US");
  assert.equal(en.issue.message, issue.en);
  const zh = await check(page, { locale: "zh-CN" });
  assert.equal(zh.issue.message, issue["zh-CN"]);
  // setLocale comes before the browser's languages, the call's option before both.
  await page.evaluate(() => window.facegate.setLocale("zh-CN"));
  assert.equal((await check(page)).issue.message, issue["zh-CN"]);
  assert.equal((await check(page, { locale: "en" })).issue.message, issue.en);
  // Errors follow the same choice.
  const error = await page.evaluate(() => {
    try {
      window.facegate.parseReturnUrl("https://shop.example/return");
    } catch (error) {
      return { code: error.code, message: error.message };
    }
    return null;
  });
  assert.deepEqual(error, { code: "invalid_return_url", message: "不是 facegate 的回跳地址：缺少 `verification_id` 参数" });
  await context.close();
});

test("a browser in a language the helper does not speak gets zh-CN, the default", async () => {
  const { page, context } = await pageIn("fr-FR");
  const report = await check(page);
  assert.equal(report.language, "fr-FR");
  assert.equal(report.issue.message, issue["zh-CN"]);
  assert.equal(await page.evaluate(() => window.facegate.currentLocale()), "zh-CN");
  await context.close();
});
