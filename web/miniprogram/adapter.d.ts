import type { AlipayVerifyCallback, AlipayVerifyOutcome, FaceSupport, WebViewMessage, WechatCallback, WechatVerifyOutcome } from "../pkg/facegate.js";

export type { AlipayVerifyCallback, AlipayVerifyOutcome, FaceSupport, WebViewMessage, WechatCallback, WechatVerifyOutcome };

export function parseWebViewMessage(event: unknown): WebViewMessage;
export function wechatFaceSupport(result: WechatCallback | null | undefined): FaceSupport;
export function wechatVerifyOutcome(result: WechatCallback | null | undefined): WechatVerifyOutcome;
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

export interface WebViewHandlerOptions {
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
}

export function startWechatFaceVerify(options: { userIdKey: string; checkAliveType?: 1 | 2; wx?: WechatApi }): Promise<WechatVerifyOutcome>;
export function checkWechatFaceSupport(options?: { checkAliveType?: 1 | 2; wx?: WechatApi }): Promise<FaceSupport>;
