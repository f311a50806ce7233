# Tencent Cloud 人脸核身 (src/vendors/tencent_faceid.rs). Titles of unusable pages are Tencent's own.
tencent-title = 腾讯云人脸核身
tencent-intro = 本页不使用摄像头：请选择 GetDetectInfoEnhanced 返回的 `ErrCode`。离开本页即放弃本次核身
tencent-used-title = 该核身流程已结束
tencent-used = 该 BizToken 已使用过，请向商户重新获取
tencent-expired-title = BizToken过期
tencent-expired = 该 BizToken 已过期（有效期 7200 秒）
tencent-unknown-title = 非法BizToken
tencent-unknown = 沙箱中没有这个 BizToken
tencent-finished-title = 核身完成
tencent-finished = 未提供 `RedirectUrl`，核身已完成，可关闭本页
