# Alibaba Cloud 金融级实人认证 (src/vendors/aliyun_cloudauth.rs). Titles of unusable pages are Alibaba's own.
aliyun-title = 阿里云金融级实人认证
aliyun-intro = 本页不使用摄像头：请选择 DescribeFaceVerify 返回的结果。关闭本页即放弃认证，阿里云不会发送回调通知
aliyun-used-title = 认证链接已失效
aliyun-used = 该 CertifyUrl 已使用过（仅可使用一次）
aliyun-expired-title = 认证链接已过期
aliyun-expired = 该 CertifyUrl 已过期（有效期 30 分钟）
aliyun-unknown-title = 认证链接无效
aliyun-unknown = 沙箱中没有这个 CertifyId
