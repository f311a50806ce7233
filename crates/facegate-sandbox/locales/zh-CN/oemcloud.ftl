# e签宝 刷脸认证, OEMCloud (src/vendors/oemcloud.rs).
oemcloud-title = e签宝刷脸认证
oemcloud-intro = 认证方式 { $mode }：请选择本次模拟刷脸认证的结果
oemcloud-short-link-unknown-title = 链接不存在
oemcloud-short-link-unknown = 沙箱中没有这个短链接
oemcloud-unknown-title = 认证流程不存在
oemcloud-unknown = 沙箱中没有这个认证流程
oemcloud-used-title = 链接已使用
oemcloud-used = 该刷脸认证链接已使用过，请重新发起认证
oemcloud-expired-title = 链接已失效
oemcloud-expired = 该刷脸认证链接已过期，请重新发起认证
oemcloud-pass = 认证通过：人脸与身份信息一致
oemcloud-not-same = 认证未通过：人脸比对不一致
oemcloud-liveness = 认证未通过：活体检测未通过
oemcloud-cancel = 认证未通过：用户取消认证
oemcloud-finished-title = 认证结束
oemcloud-finished = 请返回小程序
