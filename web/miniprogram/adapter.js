// facegate's mini-program adapter, in plain JavaScript: Alipay mini-programs have no
// WebAssembly, and WeChat's (WXWebAssembly) loads only packaged files, so mini-program pages use
// this file instead of the wasm helper. Its mappings are the helper's own (crates/facegate-wasm
// src/miniprogram.rs); tests/e2e/package.test.mjs checks that both answer alike. Nothing here
// decides a verdict: a finished flow ends with asking the merchant's backend.

const text = (value) =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

/** Reads a web-view onMessage event, its detail, or WeChat's detail.data array. */
export function parseWebViewMessage(event) {
  if (!event || typeof event !== "object") {
    return { action: "ignored", type: null, reason: "the message is not an object of strings and numbers" };
  }
  let message = event;
  for (let i = 0; i < 3; i += 1) {
    if (text(message.type) !== null) break;
    if (message.detail && typeof message.detail === "object") message = message.detail;
    else if (Array.isArray(message.data) && message.data.length) {
      const last = message.data[message.data.length - 1];
      message = last && typeof last === "object" ? last : {};
    } else break;
  }
  const type = text(message.type);
  if (type === null) return { action: "ignored", type: null, reason: "the message has no type" };
  const authFlowId = text(message.authFlowId);
  if (type === "IDENTITY_ALI_FACE_AWAKE") {
    const token = text(message.token) || "";
    if (!token) {
      return { action: "ignored", type, reason: "IDENTITY_ALI_FACE_AWAKE without a token (the certifyId)" };
    }
    return { action: "start_alipay_verify", certifyId: token, url: text(message.url) || "", authFlowId };
  }
  if (type === "RN_DONE") return { action: "finished", authFlowId };
  return { action: "ignored", type, reason: `${type} is not a message facegate acts on` };
}

const integer = (value) => (typeof value === "number" && Number.isInteger(value) ? value : null);

/** wx.checkIsSupportFacialRecognition's callback argument (seed 003: 10001/10002/10003). */
export function wechatFaceSupport(result) {
  const res = result || {};
  const errCode = integer(res.errCode);
  const ok = typeof res.errMsg === "string" && res.errMsg.endsWith(":ok");
  const reasons = { 0: "supported", 10001: "no_front_camera", 10002: "model_not_downloaded", 10003: "disabled_by_backend" };
  const reason = errCode !== null ? reasons[errCode] || "unknown" : ok ? "supported" : "unknown";
  return { supported: reason === "supported", reason, errCode };
}

const HINTS = [
  [[10004, 10011], "not_same_person", true],
  [[10003, 10009, 10026], "identity_mismatch", false],
  [[10002, 10005, 10010, 10020, 10027, 10028], "capture_failed", true],
  [[10006, 10031], "account_error", false],
  [[10017, 10018, 10041], "vendor_error", false],
];

/** What to do after wx.startFacialRecognitionVerify calls back: "submit" hands verifyResult to the backend. */
export function wechatVerifyOutcome(result) {
  const res = result || {};
  const errCode = integer(res.errCode);
  if (typeof res.verifyResult === "string" && res.verifyResult) {
    return { action: "submit", verifyResult: res.verifyResult, errCode };
  }
  if (errCode === 90100) return { action: "canceled", errCode };
  for (const [codes, hint, retry] of HINTS) {
    if (codes.includes(errCode)) return { action: "failed", errCode, hint, retry };
  }
  if (typeof res.errMsg === "string" && res.errMsg.includes("cancel")) return { action: "canceled", errCode };
  return { action: "failed", errCode, hint: "vendor_error", retry: true };
}

/** my.startAPVerify's callback argument: 9000 finished, 6001 the user gave up. */
export function alipayVerifyOutcome(result) {
  const status = text((result || {}).resultStatus);
  if (status === "9000") return { action: "finished" };
  if (status === "6001") return { action: "canceled" };
  return { action: "failed", resultStatus: status };
}

/**
 * The web-view onMessage handler for an Alipay mini-program page hosting OEMCloud's long link
 * (seed 002): IDENTITY_ALI_FACE_AWAKE starts my.startAPVerify({url, certifyId: token}); RN_DONE
 * and the end of the Alipay face check call onFinished, where the page asks its backend.
 */
export function createWebViewHandler(options) {
  const { onFinished, onCanceled = () => {}, onIgnored = () => {}, startAPVerify } = options;
  const start = startAPVerify || ((params) => globalThis.my.startAPVerify(params));
  return function onWebviewMessage(event) {
    const message = parseWebViewMessage(event);
    if (message.action === "start_alipay_verify") {
      const done = (res) => {
        const outcome = alipayVerifyOutcome(res);
        if (outcome.action === "canceled") onCanceled(outcome);
        else onFinished({ via: "alipay_verify", outcome, authFlowId: message.authFlowId });
      };
      start({ url: message.url, certifyId: message.certifyId, success: done, fail: done });
    } else if (message.action === "finished") {
      onFinished({ via: "web_view", authFlowId: message.authFlowId });
    } else {
      onIgnored(message);
    }
    return message;
  };
}

/** wx.startFacialRecognitionVerify with a user_id_key from the backend, as a promise of the typed outcome. */
export function startWechatFaceVerify(options) {
  const { userIdKey, checkAliveType, wx = globalThis.wx } = options;
  return new Promise((resolve) => {
    wx.startFacialRecognitionVerify({
      userIdKey,
      checkAliveType,
      complete: (res) => resolve(wechatVerifyOutcome(res)),
    });
  });
}

/** wx.checkIsSupportFacialRecognition as a promise of the typed answer. */
export function checkWechatFaceSupport(options = {}) {
  const { checkAliveType, wx = globalThis.wx } = options;
  return new Promise((resolve) => {
    wx.checkIsSupportFacialRecognition({ checkAliveType, complete: (res) => resolve(wechatFaceSupport(res)) });
  });
}
