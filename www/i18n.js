// The demo's words, zh-CN (the default) and en, in the vocabulary of docs/glossary.md. The page
// marks translated elements with data-i18n="key"; demo.js fills the rest with t(key, values).
// tests/e2e/demo.test.mjs checks that both locales have the same keys and placeholders and that
// every key is used.
export const MESSAGES = {
  "zh-CN": {
    "title": "facegate 演示",
    "heading": "facegate 人脸核身演示",
    "switch": "English",
    "loading": "正在加载前端组件…",
    "device.heading": "本机环境",
    "device.container": "运行环境",
    "device.system": "操作系统",
    "device.secure": "安全连接（HTTPS）",
    "device.cameras": "摄像头数量",
    "device.front": "前置摄像头",
    "device.permission": "摄像头权限",
    "device.unknown": "未知",
    "device.yes": "是",
    "device.no": "否",
    "permission.granted": "已允许",
    "permission.denied": "已拒绝",
    "permission.prompt": "尚未询问",
    "device.recommended": "推荐：{provider}，方式 {flow}。{why}",
    "device.none": "已启用的服务商都无法在本机完成人脸核身。",
    "start.heading": "发起人脸核身",
    "start.note": "商户服务端（本演示）用 API 密钥创建核验会话，页面只持有该会话的 client secret。沙箱服务商无需摄像头：在它的页面上选择结果，facegate 会在服务端向服务商确认。",
    "start.provider": "服务商",
    "start.sandbox": "sandbox（沙箱，模拟服务商）",
    "start.name": "姓名",
    "start.id_number": "身份证号",
    "start.here": "在本机认证",
    "start.handoff": "用手机扫码继续",
    "handoff.heading": "请用手机扫码",
    "handoff.note.before": "或在手机上打开",
    "handoff.link": "服务商页面",
    "handoff.note.after": "。本页面会等待认证结果。",
    "handoff.waiting": "等待手机完成认证…",
    "handoff.done": "手机已完成认证：{status}",
    "result.heading": "认证结果",
    "result.status": "状态：{status}",
    "result.verification": "会话 ID",
    "result.provider": "服务商",
    "result.reason": "原因",
    "result.advice": "建议",
    "result.similarity": "相似度",
    "result.liveness": "活体分数",
    "result.vendor_code": "服务商返回码",
    "result.confirmed_by": "确认方式",
    "result.again": "重新发起",
    "result.other_browser": "此浏览器没有发起这次认证，无法显示结果。",
    "error.failed": "请求失败",
  },
  en: {
    "title": "facegate demo",
    "heading": "facegate face verification demo",
    "switch": "中文",
    "loading": "Loading the helper…",
    "device.heading": "This device",
    "device.container": "container",
    "device.system": "system",
    "device.secure": "secure context (HTTPS)",
    "device.cameras": "cameras",
    "device.front": "front camera",
    "device.permission": "camera permission",
    "device.unknown": "unknown",
    "device.yes": "yes",
    "device.no": "no",
    "permission.granted": "granted",
    "permission.denied": "denied",
    "permission.prompt": "not asked yet",
    "device.recommended": "Recommended: {provider} by {flow}. {why}",
    "device.none": "No enabled provider can run the face check on this device.",
    "start.heading": "Start a verification",
    "start.note": "The merchant's server (this demo) creates the session with its API key; the page only ever holds the session's client secret. The sandbox vendor needs no camera: its page lets you choose the result, which facegate then confirms server-side.",
    "start.provider": "Provider",
    "start.sandbox": "sandbox (simulated vendor)",
    "start.name": "Name",
    "start.id_number": "ID number",
    "start.here": "Verify on this device",
    "start.handoff": "Continue on a phone (QR code)",
    "handoff.heading": "Scan with your phone",
    "handoff.note.before": "Or open",
    "handoff.link": "the vendor page",
    "handoff.note.after": "on the phone. This page waits for the result.",
    "handoff.waiting": "Waiting for the phone…",
    "handoff.done": "The phone finished: {status}",
    "result.heading": "Result",
    "result.status": "Status: {status}",
    "result.verification": "verification",
    "result.provider": "provider",
    "result.reason": "reason",
    "result.advice": "what to do",
    "result.similarity": "similarity",
    "result.liveness": "liveness",
    "result.vendor_code": "vendor code",
    "result.confirmed_by": "confirmed by",
    "result.again": "Start again",
    "result.other_browser": "This browser did not start this verification.",
    "error.failed": "The request failed",
  },
};

/// The page's locale: ?lang= first, then the browser's languages, else zh-CN.
export function pageLocale(search = location.search, languages = navigator.languages || [navigator.language]) {
  const pick = (tag) => {
    const primary = String(tag || "").trim().split(/[-_]/)[0].toLowerCase();
    return primary === "zh" ? "zh-CN" : primary === "en" ? "en" : null;
  };
  return pick(new URLSearchParams(search).get("lang")) || languages.map(pick).find(Boolean) || "zh-CN";
}

/// The text of `key` in `locale`, its {placeholders} filled from `values`; a missing key shows
/// as ⟦missing⟧key, which the browser tests look for.
export function translate(locale, key, values = {}) {
  const text = MESSAGES[locale]?.[key];
  if (text === undefined) return `⟦missing⟧${key}`;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
