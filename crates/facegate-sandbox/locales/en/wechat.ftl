# WeChat face verification 1.0 (src/vendors/wechat_mini.rs).
wechat-mini-title = WeChat face verification
wechat-mini-intro = Stands in for wx.startFacialRecognitionVerify({"{"}userIdKey{"}"}): choose what the face check returns.
wechat-mini-unknown = This user_id_key is not known to the sandbox.
wechat-mini-used = This user_id_key was used once already (single use).
wechat-mini-expired = This user_id_key has expired (expires_in 3600 s).
wechat-mini-pass = Pass: both MD5s are the subject's
wechat-mini-identify-failed = Face identify not passed; non-zero values are not documented
wechat-mini-tampered = Result of another person: the MD5s of 李四 / another ID number
wechat-mini-84001 = getinfo refuses the verify_result
wechat-mini-84002 = getinfo: the user's data expired
wechat-mini-84003 = getinfo: no user data
wechat-mini-10001 = Device: no front camera (no verify_result)
wechat-mini-10002 = Device: face model not downloaded (no verify_result)
wechat-mini-10003 = Device: disabled by the backend (no verify_result)
wechat-mini-unsupported-title = Face check not supported
wechat-mini-finished = Hand this to the merchant's backend (getinfo).

# WeChat face verification 2.0 (src/vendors/wechat_verify.rs).
wechat-verify-title = WeChat face verification 2.0
wechat-verify-intro = Stands in for wx.requestFacialVerify({"{"}verifyId{"}"}): choose the verify_ret queryverifyinfo will answer.
wechat-verify-unknown = This verify_id is not known to the sandbox.
wechat-verify-used = This verify_id ran its check already (one check per verify_id).
wechat-verify-expired = This verify_id has expired (expires_in); the server must ask for a new one.
wechat-verify-other-user-title = Another WeChat user
wechat-verify-other-user = This verify_id was issued for another openid: the user holding the phone is not the one getverifyid named.
wechat-verify-finished = The mini-program now asks the merchant's backend, which asks queryverifyinfo.

# Both.
wechat-finished-title = Face check finished
