// facegate's mini-program adapter, in plain JavaScript: Alipay mini-programs have no
// WebAssembly, and WeChat's (WXWebAssembly) loads only packaged files, so mini-program pages use
// this file instead of the wasm helper. Its mappings are the helper's own (crates/facegate-wasm
// src/miniprogram.rs, over the vendors' tables in crates/facegate-types src/front_end); both
// pass the same tables of cases (tests/cases/web_view_messages.json, device_support.json,
// verify_outcomes.json; tests/e2e/package.test.mjs). Nothing here decides a verdict: a finished
// flow ends with asking the merchant's backend.
//
// Human text (a `message` beside each code) is in zh-CN by default, in en on request: every
// function that returns some takes a `locale` option; setLocale sets the page's. Mini-programs
// have no navigator, so nothing else is read: pass wx.getAppBaseInfo().language ("zh_CN", "en")
// to follow WeChat's language. The texts are in messages.js, checked against the wasm helper's.

import { MESSAGES } from "./messages.js";

let pageLocale = null;

/** "zh-CN" or "en" for a BCP 47 tag, by its language ("en-US", "zh_CN"); null for any other. */
function fromTag(tag) {
  if (typeof tag !== "string") return null;
  const primary = tag.trim().split(/[-_]/)[0];
  if (/^zh$/i.test(primary)) return "zh-CN";
  if (/^en$/i.test(primary)) return "en";
  return null;
}

/** The locale of a call: its option where it names one, else the page's (setLocale), else zh-CN. */
function localeOf(tag) {
  return fromTag(tag) || pageLocale || "zh-CN";
}

/** An options object's locale. */
const optionLocale = (options) =>
  localeOf(options !== null && typeof options === "object" ? property(options, "locale") : null);

/**
 * Sets the locale of every message from now on, where a call names none: "zh-CN" or "en" (any
 * BCP 47 tag is read by its language). null, or a language the adapter does not speak, goes back
 * to zh-CN.
 */
export function setLocale(locale) {
  pageLocale = fromTag(locale);
}

/** The locale the adapter speaks where a call names none. */
export function currentLocale() {
  return localeOf(null);
}

function text(section, code, locale) {
  const entry = Object.prototype.hasOwnProperty.call(MESSAGES[section], code) ? MESSAGES[section][code] : null;
  if (entry === null) throw new TypeError(`facegate: unknown ${section} code ${String(code)}`);
  return entry[locale];
}

/**
 * What a failure reason (a result's `reason`, or an outcome's `hint`) means for the person and
 * what they can do next, in `locale`: capture_failed reads 光线不足或画面不清晰，请在明亮处重试.
 */
export function explainFailure(reason, locale) {
  return text("failure_reasons", reason, localeOf(locale));
}

/** A session's status as a person reads it, in `locale`: verified reads 认证通过 or "verified". */
export function statusLabel(status, locale) {
  return text("statuses", status, localeOf(locale));
}

/** A string, or a safe integer written in decimal; anything else reads as absent. */
const asText = (value) =>
  typeof value === "string" ? value : Number.isSafeInteger(value) ? String(value) : null;

// parseWebViewMessage walks what a web-view message handler was given exactly as the wasm
// helper does (crates/facegate-wasm/src/miniprogram.rs, same bounds, same order); the shapes
// and their sources are in tests/cases/web_view_messages.json, which both pass.
const WRAPPERS = ["detail", "mp", "nativeEvent"];
const MAX_DEPTH = 8;
const MAX_BATCH = 32;
const MAX_VALUES = 256;
const MAX_JSON_STRINGS = 32;
const MAX_JSON_UNITS = 16 * 1024;

/** A property; null when absent, undefined, null, or when reading it throws (a Proxy, a getter). */
function property(value, key) {
  try {
    const found = value[key];
    return found === undefined || found === null ? null : found;
  } catch {
    return null;
  }
}

function shape(value) {
  if (Array.isArray(value)) return "array";
  if (value !== null && typeof value === "object") return "object";
  if (typeof value === "string") return "string";
  return "other";
}

function walk(batch, value, depth) {
  if (depth > MAX_DEPTH || batch.values >= MAX_VALUES) return;
  batch.values += 1;
  const kind = shape(value);
  if (kind === "array") {
    const raw = property(value, "length");
    const length = typeof raw === "number" && raw >= 0 ? Math.min(Math.floor(raw), 4294967295) : 0;
    for (let index = Math.max(0, length - MAX_BATCH); index < length; index += 1) {
      walk(batch, property(value, index), depth + 1);
    }
  } else if (kind === "string") {
    if (value.length > MAX_JSON_UNITS || batch.jsonStrings >= MAX_JSON_STRINGS) return;
    // Only {...} and [...]: a posted object or list sent through JSON.stringify.
    if (!/^[ \t\n\r]*[[{]/.test(value)) return;
    batch.jsonStrings += 1;
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      return;
    }
    walk(batch, parsed, depth + 1);
  } else if (kind === "object") {
    for (const key of WRAPPERS) {
      const inner = property(value, key);
      if (inner !== null) return walk(batch, inner, depth + 1);
    }
    // "message" is the type of the event itself (mini-program and DOM events).
    const type = asText(property(value, "type"));
    if (type !== null && type !== "" && type !== "message") {
      const message = {
        type,
        token: asText(property(value, "token")),
        url: asText(property(value, "url")),
        authFlowId: asText(property(value, "authFlowId")),
      };
      batch.last = type;
      if (type === "RN_DONE") batch.finished = message;
      else if (type === "IDENTITY_ALI_FACE_AWAKE" && message.token) batch.start = message;
    } else {
      const data = property(value, "data");
      if (data !== null) walk(batch, data, depth + 1);
    }
  }
}

/**
 * Reads what a web-view message handler was given: the event, its detail, WeChat's batch of
 * posted messages, a JSON string. Finished when any message is RN_DONE; else the last
 * IDENTITY_ALI_FACE_AWAKE with a token; else ignored, naming the last message's type, with a
 * reason code and a message in options.locale.
 */
export function parseWebViewMessage(event, options) {
  const locale = optionLocale(options);
  const ignored = (type, reason) => ({
    action: "ignored",
    type,
    reason,
    message: text("web_view_ignored", reason, locale).replace("{type}", () => type),
  });
  const batch = { values: 0, jsonStrings: 0, finished: null, start: null, last: null };
  walk(batch, event, 0);
  if (batch.finished) return { action: "finished", authFlowId: batch.finished.authFlowId };
  if (batch.start) {
    const { token, url, authFlowId } = batch.start;
    return { action: "start_alipay_verify", certifyId: token, url: url || "", authFlowId };
  }
  const type = batch.last;
  if (type === null) return ignored(null, shape(event) === "other" ? "not_an_event" : "no_type");
  return ignored(type, type === "IDENTITY_ALI_FACE_AWAKE" ? "no_token" : "not_acted_on");
}

const integer = (value) => (typeof value === "number" && Number.isInteger(value) ? value : null);

// Face verification 2.0 (wechat_verify): wx.requestFacialVerify needs base library 3.8.12
// (crates/facegate-types src/front_end/wechat_verify.rs, the same rules).
const FACIAL_VERIFY_MIN_SDK = [3, 8, 12];
const CANCEL_CODES = [90002, 90003, 90004, 90005, 90006, 90024];

/** "3.8.12" -> [3, 8, 12]; missing parts read as 0, parts past the third are ignored; else null. */
function sdkVersion(value) {
  if (typeof value !== "string") return null;
  const pieces = value.trim().split(".");
  const parts = [0, 0, 0];
  for (let index = 0; index < 3; index += 1) {
    const piece = pieces[index];
    if (piece === undefined && index > 0) break;
    if (typeof piece !== "string" || !/^[0-9]+$/.test(piece)) return null;
    const number = Number(piece);
    if (!Number.isSafeInteger(number) || number > 4294967295) return null;
    parts[index] = number;
  }
  return parts;
}

function atLeast(parts, floor) {
  for (let index = 0; index < 3; index += 1) {
    if (parts[index] !== floor[index]) return parts[index] > floor[index];
  }
  return true;
}

/**
 * wx.checkIsSupportFacialRecognition's callback argument (seed 003: 10001/10002/10003), and the
 * WeChat provider to use: wechat_verify where context.sdkVersion is 3.8.12 or later and it is
 * enabled, else wechat_mini where enabled (context.enabled absent: both); message says what
 * reason means for the person, in context.locale.
 */
export function wechatFaceSupport(result, context) {
  const res = result || {};
  const errCode = integer(res.errCode);
  const ok = typeof res.errMsg === "string" && res.errMsg.endsWith(":ok");
  const reasons = { 0: "supported", 10001: "no_front_camera", 10002: "model_not_downloaded", 10003: "disabled_by_backend" };
  const reason = errCode !== null ? reasons[errCode] || "unknown" : ok ? "supported" : "unknown";
  const supported = reason === "supported";
  const ctx = context !== null && typeof context === "object" && !Array.isArray(context) ? context : {};
  const version = sdkVersion(property(ctx, "sdkVersion"));
  const facialVerify = version !== null && atLeast(version, FACIAL_VERIFY_MIN_SDK);
  const list = property(ctx, "enabled");
  const enabled = Array.isArray(list) ? list.filter((name) => typeof name === "string") : null;
  const has = (provider) => enabled === null || enabled.includes(provider);
  let provider = null;
  if (supported && facialVerify && has("wechat_verify")) provider = "wechat_verify";
  else if (supported && has("wechat_mini")) provider = "wechat_mini";
  const message = text("face_support", reason, localeOf(property(ctx, "locale")));
  return { supported, reason, errCode, facialVerify, provider, message };
}

/**
 * What to do after wx.requestFacialVerify calls back: "canceled" when the user gave up (the
 * cancel codes, or an errMsg with "cancel" unless errCode is 0), else "ask_backend": the
 * backend's queryverifyinfo decides, whatever the callback said.
 */
export function wechatFacialVerifyOutcome(result) {
  const res = result || {};
  const errCode = integer(res.errCode);
  const canceled =
    (errCode !== null && CANCEL_CODES.includes(errCode)) ||
    (errCode !== 0 && typeof res.errMsg === "string" && res.errMsg.includes("cancel"));
  return { action: canceled ? "canceled" : "ask_backend", errCode };
}

const HINTS = [
  [[10004, 10011], "not_same_person", true],
  [[10003, 10009, 10026], "identity_mismatch", false],
  [[10002, 10005, 10010, 10020, 10027, 10028], "capture_failed", true],
  [[10006, 10031], "account_error", false],
  [[10017, 10018, 10041], "vendor_error", false],
];

/**
 * What to do after wx.startFacialRecognitionVerify calls back: "submit" hands verifyResult to the
 * backend; a failure's message explains its hint in options.locale.
 */
export function wechatVerifyOutcome(result, options) {
  const failed = (errCode, hint, retry) => ({
    action: "failed",
    errCode,
    hint,
    retry,
    message: text("failure_reasons", hint, optionLocale(options)),
  });
  const res = result || {};
  const errCode = integer(res.errCode);
  if (typeof res.verifyResult === "string" && res.verifyResult) {
    return { action: "submit", verifyResult: res.verifyResult, errCode };
  }
  if (errCode === 90100) return { action: "canceled", errCode };
  for (const [codes, hint, retry] of HINTS) {
    if (codes.includes(errCode)) return failed(errCode, hint, retry);
  }
  if (typeof res.errMsg === "string" && res.errMsg.includes("cancel")) return { action: "canceled", errCode };
  return failed(errCode, "vendor_error", true);
}

/** my.startAPVerify's callback argument: 9000 finished, 6001 the user gave up. */
export function alipayVerifyOutcome(result) {
  const status = asText((result || {}).resultStatus);
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
  const { onFinished, onCanceled = () => {}, onIgnored = () => {}, startAPVerify, locale } = options;
  const start = startAPVerify || ((params) => globalThis.my.startAPVerify(params));
  return function onWebviewMessage(event) {
    const message = parseWebViewMessage(event, { locale });
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
  const { userIdKey, checkAliveType, locale, wx = globalThis.wx } = options;
  return new Promise((resolve) => {
    wx.startFacialRecognitionVerify({
      userIdKey,
      checkAliveType,
      complete: (res) => resolve(wechatVerifyOutcome(res, { locale })),
    });
  });
}

/**
 * Face verification 2.0 (wechat_verify): wx.requestFacialVerify with the verify_id of the
 * session's next_action, as a promise of the next step: { action: "ask_backend" } (call
 * POST /v1/client/verifications/{id}/complete with the client_secret; only its answer counts) or
 * { action: "canceled" } (the user gave up). A base library without wx.requestFacialVerify
 * (before 3.8.12) answers { action: "unsupported" } without calling anything.
 */
export function startWechatVerify(options) {
  const { verifyId, wx = globalThis.wx } = options;
  if (typeof verifyId !== "string" || verifyId === "") {
    return Promise.reject(new TypeError("startWechatVerify needs verifyId (next_action.verify_id)"));
  }
  if (!wx || typeof wx.requestFacialVerify !== "function") {
    return Promise.resolve({ action: "unsupported", errCode: null });
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (res) => {
      if (done) return;
      done = true;
      resolve(wechatFacialVerifyOutcome(res));
    };
    wx.requestFacialVerify({ verifyId, success: finish, fail: finish, complete: finish });
  });
}

/**
 * wx.checkIsSupportFacialRecognition as a promise of the typed answer; the base library is read
 * from wx.getAppBaseInfo() (or wx.getSystemInfoSync()) unless options.sdkVersion gives it.
 */
export function checkWechatFaceSupport(options = {}) {
  const { checkAliveType, enabled, locale, wx = globalThis.wx } = options;
  let { sdkVersion: version } = options;
  if (version === undefined) {
    try {
      const info = typeof wx.getAppBaseInfo === "function" ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
      version = info && info.SDKVersion;
    } catch {
      version = undefined;
    }
  }
  return new Promise((resolve) => {
    wx.checkIsSupportFacialRecognition({
      checkAliveType,
      complete: (res) => resolve(wechatFaceSupport(res, { sdkVersion: version, enabled, locale })),
    });
  });
}
