// The human texts of the mini-program adapter, in zh-CN (the default) and en, by section and
// stable code: the wasm helper's own (crates/facegate-wasm/src/messages.rs, and facegate-types'
// FailureReason::explain and VerificationStatus::label), in the words of docs/glossary.md.
// tests/cases/messages.json is written from the helper's catalogue; tests/e2e/package.test.mjs
// checks that this table equals its sections, so the two cannot drift. {type} is a placeholder.
export const MESSAGES = {
  face_support: {
    disabled_by_backend: { "zh-CN": "微信暂不支持在此设备上进行人脸核身，请更换设备后重试", en: "WeChat does not allow face verification on this device. Use another device." },
    model_not_downloaded: { "zh-CN": "人脸识别组件下载失败，请检查网络后重试", en: "The face recognition component could not be downloaded. Check the network and try again." },
    no_front_camera: { "zh-CN": "此设备没有前置摄像头，无法进行人脸核身，请更换设备后重试", en: "This device has no front camera, so face verification cannot run. Use another device." },
    supported: { "zh-CN": "此设备支持人脸核身", en: "This device supports face verification." },
    unknown: { "zh-CN": "无法确认此设备是否支持人脸核身，请升级微信后重试", en: "Could not tell whether this device supports face verification. Update WeChat and try again." },
  },
  failure_reasons: {
    account_error: { "zh-CN": "服务暂不可用，请稍后重试或联系商户", en: "The service is unavailable. Try again later or contact the merchant." },
    capture_failed: { "zh-CN": "光线不足或画面不清晰，请在明亮处重试", en: "The picture was too dark or unclear. Move somewhere bright and try again." },
    id_document_fake: { "zh-CN": "证件校验未通过，请使用本人有效证件", en: "The ID document did not pass the check. Use your own valid ID." },
    id_document_unreadable: { "zh-CN": "证件信息无法识别，请核对后重试", en: "The ID details could not be read. Check them and try again." },
    identity_mismatch: { "zh-CN": "姓名与身份证号不一致，请核对后重试", en: "The name and ID number do not match. Check them and try again." },
    liveness_failed: { "zh-CN": "活体检测未通过，请本人正对屏幕重试", en: "Liveness detection did not pass. Face the screen yourself and try again." },
    not_same_person: { "zh-CN": "人脸与证件照片不一致，请本人重新认证", en: "The face does not match the ID photo. Only the holder can verify; please try again yourself." },
    result_tampered: { "zh-CN": "认证结果校验失败，请重新认证", en: "The result could not be confirmed. Please verify again." },
    underage: { "zh-CN": "未满年龄要求，暂不支持认证", en: "Your age is below what this verification allows." },
    user_canceled: { "zh-CN": "您已取消认证，可重新发起", en: "You canceled the verification. You can start it again." },
    vendor_error: { "zh-CN": "认证服务异常，请稍后重试", en: "The verification service failed. Please try again later." },
  },
  statuses: {
    canceled: { "zh-CN": "已取消", en: "canceled" },
    expired: { "zh-CN": "已过期", en: "expired" },
    failed: { "zh-CN": "认证未通过", en: "failed" },
    pending: { "zh-CN": "待认证", en: "pending" },
    processing: { "zh-CN": "认证中", en: "processing" },
    verified: { "zh-CN": "认证通过", en: "verified" },
  },
  web_view_ignored: {
    no_token: { "zh-CN": "`IDENTITY_ALI_FACE_AWAKE` 消息缺少 `token`（即 certifyId）", en: "IDENTITY_ALI_FACE_AWAKE without a token (the certifyId)" },
    no_type: { "zh-CN": "收到的消息都没有 `type`", en: "no posted message has a type" },
    not_acted_on: { "zh-CN": "`{type}` 不是 facegate 处理的消息", en: "{type} is not a message facegate acts on" },
    not_an_event: { "zh-CN": "事件不是对象、数组或 JSON 字符串", en: "the event is not an object, a list or a JSON string" },
  },
};
