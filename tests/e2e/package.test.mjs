// The npm package in Node: the wasm build (web/pkg, from scripts/wasm-pack.sh) instantiates,
// and the plain-JS mini-program adapter answers exactly like the wasm helper on every input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const pkg = new URL("../../web/pkg/", import.meta.url);
const facegate = await import(new URL("facegate.js", pkg));
facegate.initSync({ module: readFileSync(new URL("facegate_bg.wasm", pkg)) });
const adapter = await import(new URL("../../web/miniprogram/adapter.js", import.meta.url));
// The shared tables the wasm suites also run (crates/facegate-wasm/tests/browser.rs, natively
// web_view_messages.rs and callbacks.rs).
const table = (name) => JSON.parse(readFileSync(new URL(`../cases/${name}.json`, import.meta.url)));
const webViewTable = table("web_view_messages");
const supportTable = table("device_support");
const outcomeTable = table("verify_outcomes");

test("the wasm package instantiates in Node and reports its version", () => {
  assert.equal(facegate.version(), JSON.parse(readFileSync(new URL("../../web/package.json", import.meta.url))).version);
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
