// The demo merchant page. It uses the facegate helper exactly as an npm user would (the same
// named exports as `import { ... } from "facegate"`); Trunk loads the wasm and hands the
// bindings over as window.wasmBindings. Its words are in i18n.js: zh-CN unless ?lang= or the
// browser's languages ask for en; the helper is told the same locale (setLocale), so the device
// check's messages and its errors match the page.
import { pageLocale, translate } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const locale = pageLocale();
const explicitLang = new URLSearchParams(location.search).get("lang");
const t = (key, values) => translate(locale, key, values);

// The static words, the <html lang> and the link to the other language (keeping the query).
function translatePage() {
  document.documentElement.lang = locale;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  const other = new URLSearchParams(location.search);
  other.set("lang", locale === "en" ? "zh-CN" : "en");
  $("lang-switch").href = `?${other}`;
  if (explicitLang) $("again").href = `/?lang=${encodeURIComponent(locale)}`;
}
translatePage();

function bindings() {
  if (window.wasmBindings) return Promise.resolve(window.wasmBindings);
  return new Promise((resolve) =>
    addEventListener("TrunkApplicationStarted", () => resolve(window.wasmBindings), { once: true }),
  );
}

function describe(list, rows) {
  list.replaceChildren();
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = value ?? "—";
    list.append(dt, dd);
  }
}

// The device check's codes (Presence, Permission) in the page's words.
function presence(code) {
  return code === "yes" ? t("device.yes") : code === "no" ? t("device.no") : t("device.unknown");
}

function permission(code) {
  if (code === "granted") return t("permission.granted");
  if (code === "denied") return t("permission.denied");
  if (code === "prompt") return t("permission.prompt");
  return t("device.unknown");
}

function showDevice(report) {
  $("device").hidden = false;
  describe($("device-summary"), [
    [t("device.container"), report.container],
    [t("device.system"), `${report.os.name} ${report.os.version ?? ""}`.trim()],
    [t("device.secure"), t(report.secureContext ? "device.yes" : "device.no")],
    [t("device.cameras"), report.camera.cameras === null ? t("device.unknown") : String(report.camera.cameras)],
    [t("device.front"), presence(report.camera.frontCamera)],
    [t("device.permission"), permission(report.camera.permission)],
  ]);
  const flows = $("device-flows");
  flows.replaceChildren();
  for (const check of report.flows) {
    const item = document.createElement("li");
    item.className = check.supported ? "ok" : "no";
    item.dataset.flow = check.flow;
    item.textContent = check.flow;
    for (const issue of check.issues) {
      const why = document.createElement("small");
      why.dataset.issue = issue.code;
      why.textContent = issue.message;
      item.append(why);
    }
    flows.append(item);
  }
  const recommended = report.recommended;
  const line = $("device-recommended");
  line.dataset.provider = recommended?.provider ?? "";
  line.dataset.flow = recommended?.flow ?? "";
  line.dataset.reason = recommended?.reason ?? "";
  line.textContent = recommended
    ? t("device.recommended", { provider: recommended.provider, flow: recommended.flow, why: recommended.message })
    : t("device.none");
  if (recommended?.flow === "qr_handoff") $("handoff-button").classList.remove("secondary");
}

// Alibaba's page script defines getMetaInfo(); the embedded sandbox serves a stand-in of it
// for when Alibaba's own cannot be loaded (no network, `serve --sandbox-vendors`).
const ALIYUN_SCRIPTS = [
  "https://o.alicdn.com/yd-cloudauth/cloudauth-cdn/jsvm_all.js",
  "/sandbox/aliyun/h5/jsvm_all.js",
];

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(script);
  });
}

// options.meta_info for aliyun_cloudauth: what Alibaba's script says about this device.
async function aliyunMetaInfo(facegate) {
  for (const src of ALIYUN_SCRIPTS) {
    try {
      return facegate.aliyunMetaInfo();
    } catch (error) {
      if (error.code !== "missing_script") throw error;
    }
    await loadScript(src).catch(() => {});
  }
  return facegate.aliyunMetaInfo();
}

async function startSession(form, facegate) {
  const provider = form.get("provider");
  const response = await fetch("/demo/api/start", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      provider,
      name: form.get("name") || undefined,
      id_number: form.get("id_number") || undefined,
      meta_info: provider === "aliyun_cloudauth" ? await aliyunMetaInfo(facegate) : undefined,
      // A language chosen by ?lang= comes back with the browser to the landing page.
      return_url: explicitLang ? `${location.origin}/return?lang=${encodeURIComponent(locale)}` : undefined,
    }),
  });
  const body = await response.json();
  if (!response.ok) {
    const error = body.error || {};
    throw new Error((error.field ? error.field + ": " : "") + (error.message || t("error.failed")));
  }
  return body;
}

function showResult(facegate, session) {
  $("result").hidden = false;
  const status = $("result-status");
  status.dataset.status = session.status;
  status.textContent = t("result.status", { status: facegate.statusLabel(session.status) });
  const result = session.result || {};
  const scores = result.scores || {};
  describe($("result-detail"), [
    [t("result.verification"), session.id],
    [t("result.provider"), session.provider],
    [t("result.reason"), result.reason],
    [t("result.advice"), result.reason ? facegate.explainFailure(result.reason) : null],
    [t("result.similarity"), scores.similarity === null || scores.similarity === undefined ? null : String(scores.similarity)],
    [t("result.liveness"), scores.liveness === null || scores.liveness === undefined ? null : String(scores.liveness)],
    [t("result.vendor_code"), result.vendor_code],
    [t("result.confirmed_by"), result.confirmed_by],
  ]);
}

async function startPage(facegate) {
  $("start").hidden = false;
  const report = await facegate.checkDevice([$("provider").value]);
  showDevice(report);
  $("provider").addEventListener("change", async () => showDevice(await facegate.checkDevice([$("provider").value])));

  const form = $("start-form");
  const run = async (handoff) => {
    $("start-error").textContent = "";
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    try {
      const session = await startSession(new FormData(form), facegate);
      if (!handoff) {
        facegate.followNextAction(session); // keeps the client secret for the landing page
        return;
      }
      const url = facegate.nextActionUrl(session.next_action);
      $("start").hidden = true;
      $("handoff").hidden = false;
      $("qr").innerHTML = await facegate.qrCodeSvg(url, { locale: pageLocale() });
      $("handoff-link").href = url;
      const done = await new facegate.FacegateClient().waitForResult(session.id, session.client_secret, {
        intervalMs: 1000,
        maxIntervalMs: 3000,
      });
      $("handoff-status").dataset.status = done.status;
      $("handoff-status").textContent = t("handoff.done", { status: facegate.statusLabel(done.status) });
      showResult(facegate, done);
    } catch (error) {
      $("start-error").textContent = error.code ? `${error.code}: ${error.message}` : error.message;
    } finally {
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(false);
  });
  $("handoff-button").addEventListener("click", () => run(true));
}

async function landingPage(facegate) {
  try {
    const session = await new facegate.FacegateClient().confirmReturn(location.href, null, { timeoutMs: 60000 });
    showResult(facegate, session);
  } catch (error) {
    $("result").hidden = false;
    $("result-status").dataset.status = "error";
    $("result-status").dataset.code = error.code || "error";
    $("result-status").textContent = error.code === "invalid_argument"
      ? t("result.other_browser")
      : `${error.code || "error"}: ${error.message}`;
  }
}

bindings().then(async (facegate) => {
  facegate.setLocale(locale);
  $("loading").hidden = true;
  document.body.dataset.helper = facegate.version();
  if (new URLSearchParams(location.search).has("verification_id")) await landingPage(facegate);
  else await startPage(facegate);
});
