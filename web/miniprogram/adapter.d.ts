import type { AlipayVerifyCallback, AlipayVerifyOutcome, FailureReason, FaceSupport, FaceSupportContext, FacialVerifyOutcome, Locale, LocaleOptions, LocaleTag, Provider, VerificationStatus, WebViewMessage, WechatCallback, WechatVerifyOutcome } from "../pkg/facegate.js";

export type { AlipayVerifyCallback, AlipayVerifyOutcome, FaceSupport, FaceSupportContext, FacialVerifyOutcome, Locale, LocaleOptions, LocaleTag, WebViewMessage, WechatCallback, WechatVerifyOutcome };

/** The locale of every message where a call names none: "zh-CN" (the default) or "en"; null goes back to zh-CN. Pass wx.getAppBaseInfo().language to follow WeChat's. */
export function setLocale(locale: LocaleTag | null | undefined): void;
/** The locale the adapter speaks where a call names none. */
export function currentLocale(): Locale;
/** What a failure reason means for the person and what to do next, in `locale`. */
export function explainFailure(reason: FailureReason, locale?: LocaleTag | null): string;
/** A session's status as a person reads it, in `locale`. */
export function statusLabel(status: VerificationStatus, locale?: LocaleTag | null): string;

export function parseWebViewMessage(event: unknown, options?: LocaleOptions | null): WebViewMessage;
export function wechatFaceSupport(result: WechatCallback | null | undefined, context?: FaceSupportContext | null): FaceSupport;
export function wechatFacialVerifyOutcome(result: WechatCallback | null | undefined): FacialVerifyOutcome;
export function wechatVerifyOutcome(result: WechatCallback | null | undefined, options?: LocaleOptions | null): WechatVerifyOutcome;
export function alipayVerifyOutcome(result: AlipayVerifyCallback | null | undefined): AlipayVerifyOutcome;

export interface StartAPVerifyParams {
  url: string;
  certifyId: string;
  success: (res: AlipayVerifyCallback) => void;
  fail: (res: AlipayVerifyCallback) => void;
}

export type WebViewFinish =
  | { via: "alipay_verify"; outcome: AlipayVerifyOutcome; authFlowId: string | null }
  | { via: "web_view"; authFlowId: string | null };

export interface WebViewHandlerOptions extends LocaleOptions {
  /** The flow ended: ask the merchant's backend for the confirmed result. */
  onFinished: (finish: WebViewFinish) => void;
  onCanceled?: (outcome: AlipayVerifyOutcome) => void;
  onIgnored?: (message: WebViewMessage) => void;
  /** Defaults to my.startAPVerify. */
  startAPVerify?: (params: StartAPVerifyParams) => void;
}

export function createWebViewHandler(options: WebViewHandlerOptions): (event: unknown) => WebViewMessage;

export interface WechatApi {
  startFacialRecognitionVerify(params: { userIdKey: string; checkAliveType?: number; complete: (res: WechatCallback) => void }): void;
  checkIsSupportFacialRecognition(params: { checkAliveType?: number; complete: (res: WechatCallback) => void }): void;
  /** Face verification 2.0, base library 3.8.12 or later. */
  requestFacialVerify?(params: { verifyId: string; success: (res: WechatCallback) => void; fail: (res: WechatCallback) => void; complete: (res: WechatCallback) => void }): void;
  getAppBaseInfo?(): { SDKVersion?: string };
  getSystemInfoSync?(): { SDKVersion?: string };
}

/** startWechatVerify's next step: ask the backend (completeClientVerification), the user gave up, or no 2.0 here. */
export type WechatVerifyStep = FacialVerifyOutcome | { action: "unsupported"; errCode: null };

export function startWechatFaceVerify(options: { userIdKey: string; checkAliveType?: 1 | 2; locale?: LocaleTag; wx?: WechatApi }): Promise<WechatVerifyOutcome>;
export function startWechatVerify(options: { verifyId: string; wx?: WechatApi }): Promise<WechatVerifyStep>;
export function checkWechatFaceSupport(options?: { checkAliveType?: 1 | 2; sdkVersion?: string; enabled?: Provider[]; locale?: LocaleTag; wx?: WechatApi }): Promise<FaceSupport>;
