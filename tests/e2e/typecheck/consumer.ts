// A merchant's page importing the packed `facegate` tarball: compiled with `strict` and
// `noImplicitAny`, it proves the .d.ts types every entry point. No `any` leaks through: the
// expected-error directives below would be unused, and fail the build, if a type were `any`.
import init, {
  FacegateClient,
  aliyunMetaInfo,
  analyzeDevice,
  baiduH5Url,
  checkDevice,
  faceidLiteUrl,
  followNextAction,
  nextActionUrl,
  oemcloudUrl,
  parseReturnUrl,
  parseWebViewMessage,
  qrCodeSvg,
  version,
  wechatFaceSupport,
  wechatVerifyOutcome,
  alipayVerifyOutcome,
  explainFailure,
  setLocale,
  statusLabel,
  type ClientVerification,
  type DeviceReport,
  type FacegateError,
  type Locale,
  type Provider,
  type Verification,
} from "facegate";
import {
  createWebViewHandler,
  startWechatFaceVerify,
  startWechatVerify,
  wechatFacialVerifyOutcome,
  parseWebViewMessage as parseInMiniProgram,
  explainFailure as explainInMiniProgram,
  checkWechatFaceSupport,
} from "facegate/miniprogram";
// The QR module's own entry point, for runtimes where fetch cannot read the package (Node).
import { initSync as initQr } from "facegate/qr";

export function serverSideQr(bytes: Uint8Array): Promise<string> {
  initQr({ module: bytes });
  // @ts-expect-error: qrCodeSvg resolves to the SVG (0.2.0); it is not the string itself
  const notYet: string = qrCodeSvg("https://verify.example.com/h/1");
  void notYet;
  return qrCodeSvg("https://verify.example.com/h/1", { dark: "#222", light: "#fff" });
}

export async function merchantPage(session: Verification): Promise<string> {
  await init();
  const enabled: Provider[] = ["sandbox", "baidu_h5"];
  const report: DeviceReport = await checkDevice(enabled);
  const reasons: string[] = report.flows.flatMap((flow) => flow.issues.map((issue) => issue.code));
  // The same check with its messages in en; zh-CN where nothing asks otherwise.
  const english: DeviceReport = await checkDevice(enabled, { locale: "en" });
  const why: string[] = english.flows.flatMap((flow) => flow.issues.map((issue) => issue.message));
  const because: string = report.recommended ? `${report.recommended.reason}: ${report.recommended.message}` : "";
  setLocale(navigator.language);
  setLocale(null);
  // @ts-expect-error: the locale option is a string, not a number
  void checkDevice(enabled, { locale: 42 });
  const camera: number | null = report.camera.cameras;
  if (report.recommended?.flow === "qr_handoff" && session.next_action?.type === "redirect") {
    const svg: string = await qrCodeSvg(session.next_action.url, { border: 2, locale: "en" });
    const client = new FacegateClient({ baseUrl: "https://verify.example.com" });
    const controller = new AbortController();
    const done: ClientVerification = await client.waitForResult(session.id, session.client_secret ?? "", {
      intervalMs: 1000,
      signal: controller.signal,
    });
    if (done.result && !done.result.passed) {
      const reason: string | null = done.result.reason;
      const tip: string = done.result.reason ? explainFailure(done.result.reason, "zh-CN") : statusLabel(done.status);
      return `${svg}${reason}${reasons.length}${camera}${tip}${why.length}${because}`;
    }
  }
  followNextAction(session);
  // @ts-expect-error: recommended.provider is the Provider union, not any string
  const wrong: DeviceReport["recommended"] = { provider: "tencent", flow: "h5_redirect", reason: "camera_available", message: "" };
  return String(wrong);
}

export async function landingPage(): Promise<boolean> {
  const params = parseReturnUrl(location.href);
  const id: string = params.verificationId;
  try {
    const session = await new FacegateClient().confirmReturn(location.href);
    return session.status === "verified" && session.id === id;
  } catch (error) {
    const code: FacegateError["code"] = (error as FacegateError).code;
    const message: string = (error as FacegateError).message;
    const detail: string | null = (error as FacegateError).detail;
    return code === "timeout" && message !== detail;
  }
}

/** True only for `any`: the parsers of runtime events take `unknown`, never `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;
const eventIsNotAny: IsAny<Parameters<typeof parseWebViewMessage>[0]> = false;
const miniProgramEventIsNotAny: IsAny<Parameters<typeof parseInMiniProgram>[0]> = false;

/** What a web-view handler is handed: the page does not know its shape. */
function runtimeEvent(): unknown {
  return JSON.parse('{"detail":{"data":[{"type":"RN_DONE"},{"type":"PAGE_HIDE"}]}}');
}

export function builders(): string[] {
  const report = analyzeDevice({ userAgent: navigator.userAgent, secureContext: true });
  const message = parseWebViewMessage(runtimeEvent(), { locale: "en" });
  const why: string = message.action === "ignored" ? `${message.reason} ${message.message}` : "";
  const certify: string = message.action === "start_alipay_verify" ? message.certifyId : "";
  const outcome = wechatVerifyOutcome({ errCode: 0, verifyResult: "x" });
  const verifyResult: string = outcome.action === "submit" ? outcome.verifyResult : "";
  // @ts-expect-error: a next action needs its type tag
  nextActionUrl({ url: "https://x.example/" });
  return [
    baiduH5Url({ token: "t", successUrl: "https://a/", failedUrl: "https://a/" }),
    faceidLiteUrl("biz", null),
    aliyunMetaInfo(),
    oemcloudUrl({ authUrl: "https://s/" }, report.container),
    nextActionUrl({ type: "redirect", url: "https://x.example/" }),
    wechatFaceSupport({ errCode: 10001 }).reason,
    wechatFaceSupport({ errCode: 0 }, { sdkVersion: "3.8.12", enabled: ["wechat_verify"] }).provider ?? "",
    alipayVerifyOutcome({ resultStatus: 9000 }).action,
    certify,
    verifyResult,
    why,
    wechatFaceSupport({ errCode: 10001 }, { locale: "en-US" }).message,
    version(),
  ];
}

export function miniProgramPage(): void {
  const handler = createWebViewHandler({ onFinished: (finish) => console.log(finish.via), locale: "en" });
  const tip: string = explainInMiniProgram("liveness_failed");
  const locale: Locale = "zh-CN";
  void checkWechatFaceSupport({ locale, wx: { startFacialRecognitionVerify: () => {}, checkIsSupportFacialRecognition: (params) => params.complete({}) } })
    .then((support) => support.message + tip);
  const parsed = handler(runtimeEvent());
  const again = parseInMiniProgram(runtimeEvent());
  void [parsed.action, again.action, eventIsNotAny, miniProgramEventIsNotAny];
  void startWechatFaceVerify({
    userIdKey: "k",
    wx: {
      startFacialRecognitionVerify: (params) => params.complete({ errCode: 90100 }),
      checkIsSupportFacialRecognition: (params) => params.complete({ errMsg: "x:ok" }),
    },
  }).then((outcome) => (outcome.action === "canceled" ? outcome.errCode : null));
  // Face verification 2.0: the next step is the backend's complete, or the user gave up.
  void startWechatVerify({
    verifyId: "vid",
    wx: {
      startFacialRecognitionVerify: (params) => params.complete({}),
      checkIsSupportFacialRecognition: (params) => params.complete({ errMsg: "x:ok" }),
      requestFacialVerify: (params) => params.complete({ errCode: 0, errMsg: "requestFacialVerify:ok" }),
    },
  }).then((step) => (step.action === "ask_backend" ? "complete" : step.action));
  void wechatFacialVerifyOutcome({ errCode: 90002 }).action;
}
