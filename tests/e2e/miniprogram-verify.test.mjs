// The plain-JS mini-program adapter's face verification 2.0 side (wechat_verify) in Node,
// against a `wx` stub that answers as WeChat's pages say: wx.requestFacialVerify from base
// library 3.8.12, its callback carrying errCode; wx.checkIsSupportFacialRecognition as seed 003.
// Needs no wasm build: the adapter alone (package.test.mjs checks it against the wasm helper).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const adapter = await import(new URL("../../web/miniprogram/adapter.js", import.meta.url));
const table = (name) => JSON.parse(readFileSync(new URL(`../cases/${name}.json`, import.meta.url)));

/** A wx stub: a device and a base library, and a user who ends the face check with `ending`. */
function wechat({ sdkVersion = "3.8.12", support = { errCode: 0, errMsg: "checkIsSupportFacialRecognition:ok" }, ending }) {
  const calls = [];
  const wx = {
    getAppBaseInfo: () => ({ SDKVersion: sdkVersion }),
    checkIsSupportFacialRecognition: (params) => params.complete(support),
    startFacialRecognitionVerify: () => assert.fail("2.0 does not call the 1.0 API"),
  };
  const [major, minor, patch] = sdkVersion.split(".").map(Number);
  const has20 = major > 3 || (major === 3 && (minor > 8 || (minor === 8 && patch >= 12)));
  if (has20) {
    wx.requestFacialVerify = (params) => {
      calls.push(params.verifyId);
      // As WeChat: success or fail, then complete, each with the same argument.
      const res = ending;
      if (res.errCode === 0) params.success(res);
      else params.fail(res);
      params.complete(res);
    };
  }
  return { wx, calls };
}

test("the adapter answers every case of the shared device-support and outcome tables", () => {
  for (const { name, input, context, expected } of table("device_support").cases) {
    assert.deepEqual(adapter.wechatFaceSupport(input, context), expected, name);
  }
  const outcomes = table("verify_outcomes").cases.filter((c) => c.function === "wechatFacialVerifyOutcome");
  assert.ok(outcomes.length >= 15, "the 2.0 cases are gone");
  for (const { name, input, expected } of outcomes) {
    assert.deepEqual(adapter.wechatFacialVerifyOutcome(input), expected, name);
  }
});

test("startWechatVerify: a finished check asks the backend, once", async () => {
  const { wx, calls } = wechat({ ending: { errCode: 0, errMsg: "requestFacialVerify:ok" } });
  assert.deepEqual(await adapter.startWechatVerify({ verifyId: "vid_1", wx }), { action: "ask_backend", errCode: 0 });
  assert.deepEqual(calls, ["vid_1"]);
});

test("startWechatVerify: a failed check asks the backend too; the callback decides nothing", async () => {
  for (const errCode of [10004, 10003, 90001, 90008, 12345]) {
    const { wx } = wechat({ ending: { errCode, errMsg: "requestFacialVerify:fail" } });
    assert.deepEqual(await adapter.startWechatVerify({ verifyId: "vid_2", wx }), { action: "ask_backend", errCode });
  }
});

test("startWechatVerify: the user giving up is told apart", async () => {
  for (const errCode of [90002, 90003, 90004, 90005, 90006, 90024]) {
    const { wx } = wechat({ ending: { errCode, errMsg: "requestFacialVerify:fail" } });
    assert.deepEqual(await adapter.startWechatVerify({ verifyId: "vid_3", wx }), { action: "canceled", errCode });
  }
  const { wx } = wechat({ ending: { errMsg: "requestFacialVerify:fail cancel" } });
  assert.deepEqual(await adapter.startWechatVerify({ verifyId: "vid_4", wx }), { action: "canceled", errCode: null });
});

test("startWechatVerify: a base library before 3.8.12 has no 2.0, and nothing is called", async () => {
  const { wx, calls } = wechat({ sdkVersion: "3.8.11", ending: { errCode: 0 } });
  assert.deepEqual(await adapter.startWechatVerify({ verifyId: "vid_5", wx }), { action: "unsupported", errCode: null });
  assert.deepEqual(calls, []);
  await assert.rejects(adapter.startWechatVerify({ verifyId: "", wx }), TypeError);
});

test("checkWechatFaceSupport reads the base library and recommends wechat_verify over wechat_mini", async () => {
  const both = ["wechat_mini", "wechat_verify"];
  const modern = wechat({ sdkVersion: "3.9.0", ending: {} }).wx;
  assert.deepEqual(await adapter.checkWechatFaceSupport({ wx: modern, enabled: both }), {
    supported: true, reason: "supported", errCode: 0, facialVerify: true, provider: "wechat_verify",
    message: "此设备支持人脸核身",
  });
  const old = wechat({ sdkVersion: "2.33.0", ending: {} }).wx;
  assert.equal((await adapter.checkWechatFaceSupport({ wx: old, enabled: both })).provider, "wechat_mini");
  assert.equal((await adapter.checkWechatFaceSupport({ wx: modern, enabled: ["wechat_mini"] })).provider, "wechat_mini");
  const noCamera = wechat({ sdkVersion: "3.9.0", support: { errCode: 10001 }, ending: {} }).wx;
  assert.deepEqual(await adapter.checkWechatFaceSupport({ wx: noCamera }), {
    supported: false, reason: "no_front_camera", errCode: 10001, facialVerify: true, provider: null,
    message: "此设备没有前置摄像头，无法进行人脸核身，请更换设备后重试",
  });
  // In en on request: WeChat's own language, as wx.getAppBaseInfo().language writes it.
  const english = await adapter.checkWechatFaceSupport({ wx: noCamera, locale: "en" });
  assert.equal(english.reason, "no_front_camera");
  assert.equal(english.message, "This device has no front camera, so face verification cannot run. Use another device.");
  // getAppBaseInfo missing: getSystemInfoSync answers.
  const legacy = { ...modern, getAppBaseInfo: undefined, getSystemInfoSync: () => ({ SDKVersion: "3.8.12" }) };
  assert.equal((await adapter.checkWechatFaceSupport({ wx: legacy })).provider, "wechat_verify");
});
