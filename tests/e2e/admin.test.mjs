// The admin page in headless Chromium: sessions made through the API and the sandbox page,
// then the operator logs in with the admin key, filters, reads the statistics (checked against
// /admin/api) and the page shows masked subjects only. scripts/e2e.sh sets FACEGATE_ADMIN_KEY
// and FACEGATE_SERVER_DATA (where the development API key is).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { artifacts, launch, server } from "./browser.mjs";

const adminKey = process.env.FACEGATE_ADMIN_KEY;
const dataDir = process.env.FACEGATE_SERVER_DATA;
const NAME = "张三";
const ID_NUMBER = "110101199003074514";

let browser;
before(async () => {
  assert.ok(adminKey && dataDir, "run through scripts/e2e.sh (FACEGATE_ADMIN_KEY, FACEGATE_SERVER_DATA)");
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// A merchant's server creates a session; the sandbox user picks `outcome`; the browser
// follows facegate's return URL, which confirms the result.
async function verification(reference, outcome) {
  const apiKey = readFileSync(`${dataDir}/dev-api-key`, "utf8").trim();
  const created = await fetch(`${server}/v1/verifications`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      provider: "sandbox",
      reference,
      subject: { name: NAME, id_number: ID_NUMBER },
      return_url: `${server}/done`,
    }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const session = await created.json();
  const submitted = await fetch(session.next_action.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ outcome }),
    redirect: "manual",
  });
  assert.equal(submitted.status, 303);
  const confirmed = await fetch(submitted.headers.get("location"), { redirect: "manual" });
  assert.equal(confirmed.status, 303);
  return session.id;
}

test("an operator logs in, filters the verifications and reads the statistics", async () => {
  const run = Date.now().toString(36);
  const passed = await verification(`admin-e2e-${run}-a`, "pass");
  const attacked = await verification(`admin-e2e-${run}-b`, "liveness_failed");

  // A Chinese-speaking operator's browser: the page answers in zh-CN.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));

  // Not logged in: the login form. A wrong key is refused; the right one opens the page.
  await page.goto(server + "/admin");
  assert.match(page.url(), /\/admin\/login$/);
  await page.fill("#key", "not-the-admin-key-000000");
  await page.click("button[type=submit]");
  assert.match(await page.locator("#login-error").innerText(), /管理密钥不正确/);
  await page.fill("#key", adminKey);
  await Promise.all([page.waitForURL(server + "/admin"), page.click("button[type=submit]")]);
  await page.locator("#verifications").waitFor();
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === "facegate_admin");
  assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Strict");

  // Filter: failed sessions of this run's second reference.
  await page.selectOption("#filter-status", "failed");
  await page.fill("#filter-reference", `admin-e2e-${run}-b`);
  await Promise.all([page.waitForURL(/status=failed/), page.click("#filter-submit")]);
  const rows = page.locator("#verifications tbody tr");
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getAttribute("data-id"), attacked);
  assert.equal(await rows.first().getAttribute("data-status"), "failed");
  const row = await rows.first().innerText();
  assert.match(row, /liveness_failed/);
  assert.match(row, /张\*/);
  assert.match(row, /110\*{11}4514/);
  assert.equal(await page.locator(`tr[data-id="${passed}"]`).count(), 0);
  assert.equal(await page.inputValue("#filter-status"), "failed", "the form keeps the filter");

  // The statistics: today's sandbox row, as the JSON API counts it, and its pass rate.
  await page.goto(server + "/admin?provider=sandbox");
  // Today in the operator's zone, Asia/Shanghai (UTC+8, no daylight saving) by default.
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const stats = page.locator(`#stats tr[data-day="${today}"][data-provider="sandbox"]`);
  await stats.waitFor();
  const cell = async (selector) => (await stats.locator(selector).innerText()).trim();
  const total = Number(await cell("td.total"));
  const verified = Number(await cell('td[data-status="verified"]'));
  const failed = Number(await cell('td[data-status="failed"]'));
  assert.ok(verified >= 1 && failed >= 1, `verified ${verified}, failed ${failed}`);
  assert.equal(await cell("td.pass-rate"), `${((100 * verified) / (verified + failed)).toFixed(1)}%`);
  assert.match(await cell("td.reasons"), /liveness_failed \d+/);
  const api = await page.request.get(`${server}/admin/api/stats?provider=sandbox`);
  assert.equal(api.status(), 200);
  const json = await api.json();
  const sameRow = json.data.find((r) => r.day === today && r.provider === "sandbox");
  assert.equal(sameRow.total, total);
  assert.equal(sameRow.by_status.failed, failed);

  // Nothing of the person but the masked forms, anywhere on the page.
  const html = await page.content();
  assert.ok(!html.includes(ID_NUMBER) && !html.includes(NAME), "no personal data on the admin page");
  await page.screenshot({ path: artifacts + "admin-zh-CN.png", fullPage: true });

  // Logging out ends the session.
  await Promise.all([page.waitForURL(/\/admin\/login$/), page.click("#logout")]);
  await page.goto(server + "/admin");
  assert.match(page.url(), /\/admin\/login$/);
  await context.close();
});

// Logs in a fresh context with `options` (its locale); returns the page, on /admin.
async function adminPage(options) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await page.goto(server + "/admin/login");
  await page.fill("#key", adminKey);
  await Promise.all([page.waitForURL(/\/admin(\?|$)/), page.click("button[type=submit]")]);
  await page.locator("#verifications").waitFor();
  return page;
}

const MISSING = "⟦missing⟧";

test("the admin page is zh-CN by default and en by Accept-Language or ?lang=en", async () => {
  const run = Date.now().toString(36);
  await verification(`admin-locale-${run}`, "capture_failed");

  // A browser that prefers neither Chinese nor English gets the default, zh-CN.
  const zh = await adminPage({ locale: "fr-FR" });
  assert.equal(await zh.getAttribute("html", "lang"), "zh-CN");
  const zhText = await zh.locator("body").innerText();
  for (const words of ["facegate 管理后台", "核验记录", "告警", "按服务商和日期统计", "认证未通过", "创建时间（Asia/Shanghai）"]) {
    assert.ok(zhText.includes(words), `the zh-CN page lacks ${words}`);
  }
  assert.ok(!zhText.includes(MISSING) && !(await zh.content()).includes(MISSING), "no missing key");
  // The row's code stays a code; the time is Beijing time with the UTC value in its title.
  const row = zh.locator(`#verifications tr[data-status="failed"]`).first();
  assert.match(await row.innerText(), /capture_failed/);
  const time = row.locator("td.created time");
  const utc = await time.getAttribute("datetime");
  const beijing = new Date(Date.parse(utc) + 8 * 3600 * 1000).toISOString().slice(0, 19).replace("T", " ");
  assert.equal((await time.innerText()).trim(), beijing);
  assert.equal(await time.getAttribute("title"), `UTC：${utc}`);
  await zh.screenshot({ path: artifacts + "admin-locale-zh-CN.png", fullPage: true });

  // The language switch keeps the operator on the page, now in en.
  await Promise.all([zh.waitForURL(/lang=en/), zh.click("#lang-switch")]);
  assert.equal(await zh.getAttribute("html", "lang"), "en");
  await zh.context().close();

  // An English browser (Accept-Language: en-US) gets en; so does ?lang=en in a Chinese one.
  const byHeader = await adminPage({ locale: "en-US" });
  const byQuery = await adminPage({ locale: "zh-CN" });
  await byQuery.goto(server + "/admin?lang=en");
  for (const page of [byHeader, byQuery]) {
    assert.equal(await page.getAttribute("html", "lang"), "en");
    const text = await page.locator("body").innerText();
    for (const words of ["facegate admin", "Verifications", "Alerts", "Statistics per provider and day", "Created (Asia/Shanghai)"]) {
      assert.ok(text.includes(words), `the en page lacks ${words}`);
    }
    assert.ok(!text.includes("核验记录") && !(await page.content()).includes(MISSING));
  }
  await byQuery.screenshot({ path: artifacts + "admin-locale-en.png", fullPage: true });
  await byHeader.context().close();
  await byQuery.context().close();
});
