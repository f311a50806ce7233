# Baidu AI 人脸实名认证, H5 (src/vendors/baidu_h5.rs).
baidu-h5-title = 百度人脸实名认证
baidu-h5-intro = 本页不使用摄像头：请选择百度结果查询接口对该 verify_token 返回的结果
baidu-h5-bad-link = `successUrl` 和 `failedUrl`：须为经过百分号编码的 http(s) 地址
baidu-h5-unknown = Token无效或者已过期：沙箱中没有这个 verify_token
baidu-h5-used = Token无效或者已过期：该 verify_token 已完成过一次认证
baidu-h5-expired = Token无效或者已过期：该 verify_token 已超过 2 小时有效期
baidu-h5-pass = 认证通过：人脸比对一致
baidu-h5-identity-mismatch = 认证未通过：姓名与身份证号不一致
baidu-h5-no-such-id = 认证未通过：身份证号不存在
baidu-h5-invalid-identity = 认证未通过：身份证号或姓名不合法
baidu-h5-no-usable-photo = 认证未通过：权威库照片不存在或质量过低
baidu-h5-no-photo = 认证未通过：权威库中没有对应照片
baidu-h5-low-score = 认证未通过：非本人（人脸比对分数低于阈值）
baidu-h5-liveness = 认证未通过：活体检测未通过
baidu-h5-quality = 认证未通过：人脸图片质量不符合要求
baidu-h5-no-face = 认证未通过：图片中没有人脸
baidu-h5-covered = 认证未通过：人脸有遮挡
baidu-h5-blurred = 认证未通过：人脸模糊
baidu-h5-lighting = 认证未通过：光照不佳
baidu-h5-incomplete = 认证未通过：人脸不完整
baidu-h5-openapi-limit = 认证通过，但付费接口未开通：查询返回 18 openapi limit
baidu-h5-leave = 离开：用户放弃认证，回到 `failedUrl`，不产生核验记录

# Baidu smart program, legal-person face check (src/vendors/baidu_smartapp.rs).
smartapp-title = 百度智能小程序法人人脸实名认证
smartapp-intro = 本页不使用摄像头：请选择 faceauthen 此后返回的 `legal_face_status`
smartapp-unknown-title = 二维码无效
smartapp-unknown = 沙箱中没有这个法人人脸认证任务
smartapp-decided-title = 认证已结束
smartapp-decided = 该法人人脸认证任务已结束，请通过 faceauthen 重新获取二维码
smartapp-expired-title = 二维码已过期
smartapp-expired = 该二维码已超时，请通过 faceauthen 重新获取
smartapp-passed = 通过：法人本人认证通过
smartapp-rejected = 拒绝：法人拒绝认证
smartapp-in-progress = 进行中：已扫码，认证尚未完成
smartapp-recorded-title = 已记录
smartapp-recorded = faceauthen 此后返回：{ $status }
