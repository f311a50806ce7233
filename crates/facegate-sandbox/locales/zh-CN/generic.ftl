# facegate's own simulated vendor (src/generic.rs).
generic-title = 人脸核身
generic-intro = 本页不使用摄像头：请选择这次模拟人脸核身返回的结果
generic-unknown = 沙箱中没有这个认证链接，请重新发起认证
generic-used = 该认证链接已使用过，每个链接只能使用一次，请重新发起认证
generic-expired = 该认证链接已过期，请重新发起认证
generic-pass = 认证通过：人脸与证件照片一致
generic-not-same-person = 认证未通过：非本人
generic-identity-mismatch = 认证未通过：姓名与身份证号不一致
generic-id-document-unreadable = 认证未通过：证件信息无法识别
generic-id-document-fake = 认证未通过：证件校验未通过
generic-liveness-failed = 认证未通过：活体检测未通过（翻拍、屏幕、面具等攻击）
generic-capture-failed = 认证未通过：光线不足或画面不清晰
generic-user-canceled = 认证未通过：用户取消认证
generic-underage = 认证未通过：未满年龄要求
generic-result-tampered = 认证未通过：认证结果被篡改
generic-account-error = 认证未通过：商户账户异常
generic-vendor-error = 认证未通过：服务商异常
