# Tencent Cloud face verification (src/vendors/tencent_faceid.rs).
tencent-title = Tencent Cloud face verification
tencent-intro = No camera is used: choose the ErrCode GetDetectInfoEnhanced will answer. Leaving the page is abandoning the flow.
tencent-used-title = This verification flow has ended
tencent-used = This BizToken was used once already. Ask the merchant for a new one.
tencent-expired-title = BizToken expired
tencent-expired = This BizToken has expired (valid 7,200 s).
tencent-unknown-title = Invalid BizToken
tencent-unknown = This BizToken is not known to the sandbox.
tencent-finished-title = Verification finished
tencent-finished = No RedirectUrl was given; the verification is finished and this page can be closed.
