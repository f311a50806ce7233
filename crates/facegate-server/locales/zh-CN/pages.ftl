# The pages facegate's server shows end users: where the vendor sends the browser back, and the
# demo's stand-in. Words: docs/glossary.md.

return-unknown-title = 未找到该认证
return-unknown-message = 此链接不对应本服务器上的任何认证，请返回商户页面重新发起认证。
return-unavailable-title = 请稍后重试
return-unavailable-message = 暂时无法查询认证结果，请稍后刷新本页面。
return-forbidden-title = 回跳地址不被允许
return-forbidden-message = 商户的回跳地址已不在本服务器的允许列表中，请联系商户。
demo-not-built = 演示应用尚未构建：请运行 scripts/demo.sh（见 README.md）。
