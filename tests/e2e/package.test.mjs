// The npm package in Node: the wasm build (web/pkg, from scripts/wasm-pack.sh) instantiates,
// and the plain-JS mini-program adapter answers exactly like the wasm helper on every input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const pkg = new URL("../../web/pkg/", import.meta.url);
const facegate = await import(new URL("facegate.js", pkg));
facegate.initSync({ module: readFileSync(new URL("facegate_bg.wasm", pkg)) });
const adapter = await import(new URL("../../web/miniprogram/adapter.js", import.meta.url));
// The shared table the wasm browser suite also runs (crates/facegate-wasm/tests/browser.rs).
const webViewTable = JSON.parse(readFileSync(new URL("../cases/web_view_messages.json", import.meta.url)));

const wechat = [
  { errCode: 0, errMsg: "checkIsSupportFacialRecognition:ok" },
  { errMsg: "checkIsSupportFacialRecognition:ok" },
  { errCode: 10001 }, { errCode: 10002 }, { errCode: 10003 }, { errCode: 12345 },
  { errMsg: "startFacialRecognitionVerify:fail cancel" },
  { errCode: 0, verifyResult: "XXIz" }, { errCode: 10004, verifyResult: "abc" },
  { errCode: 90100 }, { errCode: 10004 }, { errCode: 10011 }, { errCode: 10009 }, { errCode: 10026 },
  { errCode: 10020 }, { errCode: 10028 }, { errCode: 10006 }, { errCode: 10031 }, { errCode: 10041 },
  { errCode: 10017 }, {},
];

const alipay = [{ resultStatus: "9000" }, { resultStatus: 9000 }, { resultStatus: "6001" }, { resultStatus: 6001 }, { resultStatus: "4000" }, {}];

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

test("the adapter maps WeChat and Alipay callbacks like the wasm helper", () => {
  for (const res of wechat) {
    assert.deepEqual(adapter.wechatFaceSupport(res), facegate.wechatFaceSupport(res), JSON.stringify(res));
    assert.deepEqual(adapter.wechatVerifyOutcome(res), facegate.wechatVerifyOutcome(res), JSON.stringify(res));
  }
  for (const res of alipay) {
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
