# 微信 人脸核身 1.0 (src/vendors/wechat_mini.rs).
wechat-mini-title = 微信人脸核身
wechat-mini-intro = 模拟 wx.startFacialRecognitionVerify（userIdKey）：请选择本次人脸核身返回的结果
wechat-mini-unknown = 沙箱中没有这个 user_id_key
wechat-mini-used = 该 user_id_key 已使用过（仅可使用一次）
wechat-mini-expired = 该 user_id_key 已过期（expires_in 3600 秒）
wechat-mini-pass = 认证通过：姓名与身份证号的 MD5 均为认证人的
wechat-mini-identify-failed = 认证未通过：人脸核身未通过，identify_ret 的非 0 取值文档未列出
wechat-mini-tampered = 他人的认证结果：MD5 为李四 / 另一身份证号的
wechat-mini-84001 = getinfo 拒绝该 verify_result
wechat-mini-84002 = getinfo：用户信息已过期
wechat-mini-84003 = getinfo：用户信息不存在
wechat-mini-10001 = 设备：没有前置摄像头（无 verify_result）
wechat-mini-10002 = 设备：未下载到人脸模型（无 verify_result）
wechat-mini-10003 = 设备：后台控制不支持（无 verify_result）
wechat-mini-unsupported-title = 设备不支持人脸核身
wechat-mini-finished = 请将此结果交给商户后台（getinfo）

# 微信 人脸核身 2.0 (src/vendors/wechat_verify.rs).
wechat-verify-title = 微信人脸核身 2.0
wechat-verify-intro = 模拟 wx.requestFacialVerify（verifyId）：请选择 queryverifyinfo 返回的 `verify_ret`
wechat-verify-unknown = 沙箱中没有这个 verify_id
wechat-verify-used = 该 verify_id 已完成过核身（每个 verify_id 只能核身一次）
wechat-verify-expired = 该 verify_id 已过期（expires_in），请由商户后台重新获取
wechat-verify-other-user-title = 非本人微信
wechat-verify-other-user = 该 verify_id 签发给另一个 openid：手持手机的用户不是 getverifyid 指定的用户
wechat-verify-finished = 小程序接下来询问商户后台，由商户后台调用 queryverifyinfo

# Both.
wechat-finished-title = 人脸核身结束
