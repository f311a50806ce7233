// The helper's language in a real browser: Debian's Chromium through playwright-core, with the
// browser's own language set per context (navigator.language / languages, Accept-Language).
// checkDevice answers zh-CN by default, en when asked through its locale option, and follows
// navigator.languages where the merchant sets nothing; setLocale comes before the browser's.
// The QR module is fetched by the first qrCodeSvg and not before, and draws in both languages.
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

/**
 * A page of `origin` in a context whose browser language is `locale`, with the helper loaded;
 * `requested` lists the package files the page fetched, in order.
 */
async function pageIn(locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const requested = [];
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await page.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>facegate</title>" });
    const name = path.replace(/^\/pkg\//, "");
    // What the package ships: both modules and wasm-bindgen's snippets (the QR loader).
    if (!/^(facegate(_qr)?(_bg\.wasm|\.js)|snippets\/[\w./-]+\.js)$/.test(name) || name.includes("..")) {
      return route.fulfill({ status: 404, body: "" });
    }
    requested.push(name);
    return route.fulfill({ contentType: types[name.slice(name.lastIndexOf("."))], body: readFileSync(new URL(name, pkg)) });
  });
  await page.goto(`${origin}/`);
  await page.evaluate(async () => {
    const helper = await import("/pkg/facegate.js");
    await helper.default();
    window.facegate = helper;
  });
  return { page, context, requested };
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

test("the QR module is fetched by the first qrCodeSvg only, and draws in the page", async () => {
  const { page, context, requested } = await pageIn("zh-CN");
  await check(page);
  assert.deepEqual(requested.filter((name) => name.includes("_qr")), [], "fetched before any QR code");
  const url = "https://facegate.test/sandbox/h5/sbx_1?lang=en";
  const drawn = await page.evaluate(async (url) => {
    const [first, second] = await Promise.all([window.facegate.qrCodeSvg(url), window.facegate.qrCodeSvg(url, { border: 1 })]);
    const host = document.createElement("div");
    host.innerHTML = first;
    document.body.append(host);
    const svg = host.querySelector("svg");
    return {
      namespace: svg.namespaceURI,
      paths: svg.querySelectorAll("path").length,
      width: svg.getBoundingClientRect().width,
      viewBox: [first, second].map((s) => /viewBox="0 0 (\d+) \1"/.exec(s)?.[1]),
    };
  }, url);
  assert.equal(drawn.namespace, "http://www.w3.org/2000/svg");
  assert.equal(drawn.paths, 1);
  assert.ok(drawn.width > 0, "the SVG takes up room");
  // Border 4 on each side, then 1: the same code, 6 modules narrower.
  assert.equal(Number(drawn.viewBox[0]) - Number(drawn.viewBox[1]), 6);
  // Fetched once, for both concurrent calls.
  assert.deepEqual(requested.filter((name) => name.includes("_qr")), ["facegate_qr.js", "facegate_qr_bg.wasm"]);

  // The QR module's refusals, as the helper's errors in the caller's language.
  const refused = await page.evaluate(async () => {
    const reason = (promise) => promise.then(() => null, (e) => ({ name: e.name, code: e.code, field: e.field, message: e.message }));
    return {
      colour: await reason(window.facegate.qrCodeSvg("x", { dark: 'red" onload="x' })),
      long: await reason(window.facegate.qrCodeSvg("x".repeat(2332), { locale: "en" })),
      empty: await reason(window.facegate.qrCodeSvg("")),
    };
  });
  assert.deepEqual(refused.colour, {
    name: "FacegateError",
    code: "invalid_argument",
    field: "dark",
    message: catalogue.errors["invalid_argument.css_colour"]["zh-CN"].replace("{field}", "dark"),
  });
  assert.equal(refused.long.code, "qr_too_long");
  assert.equal(refused.long.message, catalogue.errors.qr_too_long.en);
  assert.deepEqual([refused.empty.code, refused.empty.field], ["invalid_argument", "text"]);
  await context.close();
});
