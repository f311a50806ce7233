# Shared by every page of the sandbox (src/page.rs).
page-sandbox = 沙箱（模拟服务商）
# The name of this locale, in this locale: the language switch shows it.
page-language-name = 中文
page-legend = 模拟结果
page-submit = 提交
# An outcome's label, then the vendor's own code and text.
page-coded = { $label }（{ $code }）
page-unknown-outcome-title = 未知结果
page-unknown-outcome = 请从列出的结果中选择一项
page-conflict-title = 请重试
page-conflict = 该链接的状态刚刚发生变化，请返回重新发起认证
page-unknown-title = 链接无效
page-used-title = 链接已使用
page-expired-title = 链接已过期
