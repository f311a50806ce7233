// The npm package in Node: the wasm build (web/pkg, from scripts/wasm-pack.sh) instantiates,
// and the plain-JS mini-program adapter answers exactly like the wasm helper on every input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const pkg = new URL("../../web/pkg/", import.meta.url);
const facegate = await import(new URL("facegate.js", pkg));
facegate.initSync({ module: readFileSync(new URL("facegate_bg.wasm", pkg)) });
const adapter = await import(new URL("../../web/miniprogram/adapter.js", import.meta.url));
const { MESSAGES } = await import(new URL("../../web/miniprogram/messages.js", import.meta.url));
// The shared tables the wasm suites also run (crates/facegate-wasm/tests/browser.rs, natively
// web_view_messages.rs and callbacks.rs).
const table = (name) => JSON.parse(readFileSync(new URL(`../cases/${name}.json`, import.meta.url)));
const webViewTable = table("web_view_messages");
const supportTable = table("device_support");
const outcomeTable = table("verify_outcomes");
// The helper's catalogue, written by its tests (crates/facegate-wasm/src/messages.rs).
const catalogue = table("messages");

test("the wasm package instantiates in Node and reports its version", () => {
  assert.equal(facegate.version(), JSON.parse(readFileSync(new URL("../../web/package.json", import.meta.url))).version);
});

test("both modules ship with minified import and export names, which their glue provides", () => {
  // scripts/wasm-build.sh minifies the names wasm-bindgen writes (`__wbg_<function>_<hash>` in
  // "./facegate_bg.js") and scripts/wasm-names.mjs carries the renaming into the glue.
  for (const name of ["facegate", "facegate_qr"]) {
    const module = new WebAssembly.Module(readFileSync(new URL(`${name}_bg.wasm`, pkg)));
    const imports = WebAssembly.Module.imports(module);
    const exports = WebAssembly.Module.exports(module);
    assert.ok(imports.length > 0 && exports.length > 0, name);
    const names = [...imports.flatMap((i) => [i.module, i.name]), ...exports.map((e) => e.name)];
    assert.deepEqual(names.filter((n) => n.length > 2), [], name);
    const glue = readFileSync(new URL(`${name}.js`, pkg), "utf8");
    assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}|\.\/facegate(_qr)?_bg\.js/, name);
    const provided = new Set([...glue.matchAll(/^ {8}([\w$]+): function\(/gm)].map((m) => m[1]));
    assert.deepEqual(imports.filter((i) => !provided.has(i.name)), [], name);
  }
});

test("in Node, the QR module initialised through its own entry point draws for qrCodeSvg", async () => {
  // Node's fetch cannot read file: URLs, so the loader would fail: the page initialises the
  // module first (web/README.md), and the loader's import then finds that same module.
  const qr = await import(new URL("facegate_qr.js", pkg));
  qr.initSync({ module: readFileSync(new URL("facegate_qr_bg.wasm", pkg)) });
  const svg = await facegate.qrCodeSvg("https://facegate.test/h/1", { border: 2, dark: "#123" });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
  assert.match(svg, /M2,2h1v1h-1z/);
  assert.ok(svg.endsWith('fill="#123"/></svg>'));
  await assert.rejects(facegate.qrCodeSvg("x".repeat(3000), { locale: "en" }), {
    name: "FacegateError",
    code: "qr_too_long",
    message: catalogue.errors.qr_too_long.en,
  });
});

test("both parsers answer every case of the shared web-view table as expected", () => {
  assert.ok(webViewTable.cases.length > 40, "the table lost its cases");
  for (const { name, input, expected } of webViewTable.cases) {
    assert.deepEqual(adapter.parseWebViewMessage(input), expected, `adapter: ${name}`);
    assert.deepEqual(facegate.parseWebViewMessage(input), expected, `wasm: ${name}`);
  }
});

test("hostile web-view events are read alike by both, without throwing", () => {
  const cyclic = {};
  cyclic.detail = cyclic;
  const sparse = [];
  sparse[4294967294] = { type: "RN_DONE" };
  const hostile = [
    cyclic,
    new Proxy({}, { get() { throw new Error("trap"); } }),
    new Proxy([], { get() { throw new Error("trap"); } }),
    { detail: { data: [{ type: "RN_DONE" }, { get type() { throw new Error("getter"); } }] } },
    { detail: { data: sparse } },
    { detail: { data: Array.from({ length: 100_000 }, () => ({ type: "PAGE_HIDE" })) } },
    undefined,
    () => "RN_DONE",
    Symbol("RN_DONE"),
    10n,
  ];
  const actions = hostile.map((event) => {
    const answer = adapter.parseWebViewMessage(event);
    assert.deepEqual(answer, facegate.parseWebViewMessage(event));
    return answer.action;
  });
  assert.deepEqual(actions, ["ignored", "ignored", "ignored", "finished", "finished", "ignored", "ignored", "ignored", "ignored", "ignored"]);
});

test("both answer every case of the shared device-support and verify-outcome tables", () => {
  assert.ok(supportTable.cases.length > 15 && outcomeTable.cases.length > 40, "a table lost its cases");
  for (const { name, input, context, expected } of supportTable.cases) {
    assert.deepEqual(adapter.wechatFaceSupport(input, context), expected, `adapter: ${name}`);
    assert.deepEqual(facegate.wechatFaceSupport(input, context), expected, `wasm: ${name}`);
  }
  for (const { name, function: call, input, expected } of outcomeTable.cases) {
    assert.ok(call in adapter && call in facegate, `${name}: no function ${call}`);
    assert.deepEqual(adapter[call](input), expected, `adapter: ${name}`);
    assert.deepEqual(facegate[call](input), expected, `wasm: ${name}`);
  }
});

test("the adapter maps WeChat and Alipay callbacks like the wasm helper", () => {
  // Every input of both tables through every callback mapping, not only the one it is for.
  const inputs = [...supportTable.cases, ...outcomeTable.cases].map((c) => c.input);
  for (const res of inputs) {
    assert.deepEqual(adapter.wechatFaceSupport(res), facegate.wechatFaceSupport(res), JSON.stringify(res));
    assert.deepEqual(adapter.wechatVerifyOutcome(res), facegate.wechatVerifyOutcome(res), JSON.stringify(res));
    assert.deepEqual(adapter.wechatFacialVerifyOutcome(res), facegate.wechatFacialVerifyOutcome(res), JSON.stringify(res));
    assert.deepEqual(adapter.alipayVerifyOutcome(res), facegate.alipayVerifyOutcome(res), JSON.stringify(res));
  }
});

test("the web-view handler starts Alipay's face check with the token and finishes", () => {
  const calls = [];
  const finished = [];
  const handler = adapter.createWebViewHandler({
    onFinished: (finish) => finished.push(finish),
    startAPVerify: (params) => {
      calls.push({ url: params.url, certifyId: params.certifyId });
      params.success({ resultStatus: "9000" });
    },
  });
  handler({ detail: { type: "IDENTITY_ALI_FACE_AWAKE", token: "cert-1", url: "https://face.example/", authFlowId: "f1" } });
  handler({ detail: { type: "RN_DONE", authFlowId: "f1" } });
  // WeChat delivers every posted message at once, the page hiding after the flow finished.
  handler({ detail: { data: [{ type: "RN_DONE", authFlowId: "f2" }, { type: "PAGE_HIDE" }] } });
  assert.deepEqual(calls, [{ url: "https://face.example/", certifyId: "cert-1" }]);
  assert.deepEqual(finished, [
    { via: "alipay_verify", outcome: { action: "finished" }, authFlowId: "f1" },
    { via: "web_view", authFlowId: "f1" },
    { via: "web_view", authFlowId: "f2" },
  ]);
});

test("startWechatFaceVerify resolves with the typed outcome", async () => {
  const wx = {
    startFacialRecognitionVerify: (params) => {
      assert.equal(params.userIdKey, "key-1");
      params.complete({ errCode: 0, errMsg: "startFacialRecognitionVerify:ok", verifyResult: "VR" });
    },
  };
  assert.deepEqual(await adapter.startWechatFaceVerify({ userIdKey: "key-1", wx }), {
    action: "submit",
    verifyResult: "VR",
    errCode: 0,
  });
});

test("the adapter's texts are the helper's catalogue, section for section", () => {
  // Equal both ways: no text missing, none unused, none drifted from the wasm helper's.
  for (const section of ["face_support", "failure_reasons", "statuses", "web_view_ignored"]) {
    assert.deepEqual(MESSAGES[section], catalogue[section], section);
  }
  assert.deepEqual(Object.keys(MESSAGES).sort(), ["face_support", "failure_reasons", "statuses", "web_view_ignored"]);
});

test("both explain every failure reason and status in zh-CN by default and in en on request", () => {
  for (const [reason, texts] of Object.entries(catalogue.failure_reasons)) {
    for (const helper of [adapter, facegate]) {
      assert.equal(helper.explainFailure(reason), texts["zh-CN"], reason);
      assert.equal(helper.explainFailure(reason, "zh-CN"), texts["zh-CN"], reason);
      assert.equal(helper.explainFailure(reason, "en"), texts.en, reason);
      assert.equal(helper.explainFailure(reason, "en-GB"), texts.en, reason);
    }
  }
  assert.equal(adapter.explainFailure("capture_failed"), "光线不足或画面不清晰，请在明亮处重试");
  for (const [status, texts] of Object.entries(catalogue.statuses)) {
    for (const helper of [adapter, facegate]) {
      assert.equal(helper.statusLabel(status), texts["zh-CN"], status);
      assert.equal(helper.statusLabel(status, "en"), texts.en, status);
    }
  }
  assert.throws(() => adapter.explainFailure("no_such_reason"), TypeError);
  assert.throws(() => facegate.explainFailure("no_such_reason"), (error) => error.code === "invalid_argument" && error.field === "reason");
});

test("mini-program answers are zh-CN by default and en with the locale option, alike in both", () => {
  const event = { detail: { data: [{ type: "PAGE_HIDE" }] } };
  for (const helper of [adapter, facegate]) {
    const zh = helper.parseWebViewMessage(event);
    assert.deepEqual(zh, { action: "ignored", type: "PAGE_HIDE", reason: "not_acted_on", message: "`PAGE_HIDE` 不是 facegate 处理的消息" });
    const en = helper.parseWebViewMessage(event, { locale: "en" });
    assert.equal(en.message, "PAGE_HIDE is not a message facegate acts on");
    // A type that looks like a replacement pattern is written as it is.
    const odd = helper.parseWebViewMessage({ type: "$&$1{type}" }, { locale: "en" });
    assert.equal(odd.message, "$&$1{type} is not a message facegate acts on");

    const failed = helper.wechatVerifyOutcome({ errCode: 10004 });
    assert.equal(failed.message, catalogue.failure_reasons.not_same_person["zh-CN"]);
    assert.equal(helper.wechatVerifyOutcome({ errCode: 10004 }, { locale: "en" }).message, catalogue.failure_reasons.not_same_person.en);

    const support = helper.wechatFaceSupport({ errCode: 10002 });
    assert.equal(support.message, catalogue.face_support.model_not_downloaded["zh-CN"]);
    assert.equal(helper.wechatFaceSupport({ errCode: 10002 }, { locale: "en" }).message, catalogue.face_support.model_not_downloaded.en);
  }
  // Every input in en, too: the two answer alike.
  for (const { input } of outcomeTable.cases) {
    const options = { locale: "en" };
    assert.deepEqual(adapter.wechatVerifyOutcome(input, options), facegate.wechatVerifyOutcome(input, options), JSON.stringify(input));
  }
  for (const { input } of webViewTable.cases) {
    const options = { locale: "en" };
    assert.deepEqual(adapter.parseWebViewMessage(input, options), facegate.parseWebViewMessage(input, options), JSON.stringify(input));
  }
});

test("setLocale sets the page's locale where a call names none, in both", () => {
  try {
    for (const helper of [adapter, facegate]) {
      assert.equal(helper.currentLocale(), "zh-CN", "no window, no navigator: zh-CN");
      helper.setLocale("en-US");
      assert.equal(helper.currentLocale(), "en");
      assert.equal(helper.wechatFaceSupport({ errCode: 10001 }).message, catalogue.face_support.no_front_camera.en);
      assert.equal(helper.wechatFaceSupport({ errCode: 10001 }, { locale: "zh-CN" }).message, catalogue.face_support.no_front_camera["zh-CN"]);
      helper.setLocale("fr");
      assert.equal(helper.currentLocale(), "zh-CN", "a language neither speaks goes back to the default");
    }
  } finally {
    adapter.setLocale(null);
    facegate.setLocale(null);
  }
});

test("the helper's errors carry their code, field and a message in the locale asked for", () => {
  const bad = { token: "t", successUrl: "javascript:alert(1)", failedUrl: "https://a.example/" };
  const thrown = (call) => {
    try {
      call();
    } catch (error) {
      return error;
    }
    assert.fail("the call did not throw");
  };
  let error = thrown(() => facegate.baiduH5Url(bad));
  assert.equal(error.name, "FacegateError");
  assert.equal(error.code, "invalid_argument");
  assert.equal(error.field, "successUrl");
  assert.equal(error.message, "`successUrl`：须为 http(s) 地址");
  try {
    facegate.setLocale("en");
    error = thrown(() => facegate.baiduH5Url(bad));
    assert.equal(error.message, "successUrl: must be an http(s) URL");
    assert.equal(error.code, "invalid_argument");
  } finally {
    facegate.setLocale(null);
  }
  error = thrown(() => facegate.analyzeDevice({ userAgent: 42 }, null, { locale: "en" }));
  assert.equal(error.code, "invalid_argument");
  assert.equal(error.message, "facts: wrong type or shape");
  assert.match(error.detail, /invalid type/);
  error = thrown(() => new facegate.FacegateClient({ baseUrl: "ftp://x", locale: "en" }));
  assert.equal(error.message, "baseUrl: must be an http(s) URL");
  error = thrown(() => facegate.parseReturnUrl("https://shop.example/return?status=verified"));
  assert.equal(error.code, "invalid_return_url");
  assert.equal(error.message, "不是 facegate 的回跳地址：缺少 `verification_id` 参数");
});

test("analyzeDevice explains each issue and its recommendation in zh-CN by default, en on request", () => {
  const facts = { userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0", secureContext: true, mediaDevices: true, getUserMedia: true, cameras: [], cameraPermission: "denied" };
  const zh = facegate.analyzeDevice(facts, ["baidu_h5"]);
  const en = facegate.analyzeDevice(facts, ["baidu_h5"], { locale: "en" });
  const h5 = (report) => report.flows.find((flow) => flow.flow === "h5_redirect").issues;
  assert.deepEqual(h5(zh).map((issue) => issue.code), ["no_camera", "camera_denied"]);
  assert.deepEqual(h5(zh).map((issue) => issue.message), [catalogue.device_issues.no_camera["zh-CN"], catalogue.device_issues.camera_denied["zh-CN"]]);
  assert.equal(h5(zh)[1].message, "摄像头权限已被拒绝，请在系统设置中允许浏览器使用摄像头后重试");
  assert.deepEqual(h5(en).map((issue) => issue.message), [catalogue.device_issues.no_camera.en, catalogue.device_issues.camera_denied.en]);
  assert.equal(zh.recommended.reason, "continue_on_phone");
  assert.equal(zh.recommended.message, catalogue.recommendations.continue_on_phone["zh-CN"]);
  assert.equal(en.recommended.message, catalogue.recommendations.continue_on_phone.en);
});
