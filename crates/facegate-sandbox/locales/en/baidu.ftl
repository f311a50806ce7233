# Baidu AI face real-name verification, H5 (src/vendors/baidu_h5.rs).
baidu-h5-title = Baidu face real-name verification
baidu-h5-intro = No camera is used: choose what Baidu's result queries will report for this verify_token.
baidu-h5-bad-link = successUrl and failedUrl must both be percent-encoded http(s) URLs.
baidu-h5-unknown = Token无效或者已过期: this verify_token is not known to the sandbox.
baidu-h5-used = Token无效或者已过期: this verify_token was verified once already.
baidu-h5-expired = Token无效或者已过期: this verify_token is older than 2 hours.
baidu-h5-pass = Pass: the face matches
baidu-h5-identity-mismatch = Fail: name and ID number do not match
baidu-h5-no-such-id = Fail: no such ID number
baidu-h5-invalid-identity = Fail: invalid ID number or name
baidu-h5-no-usable-photo = Fail: no usable authority photo
baidu-h5-no-photo = Fail: the authority has no photo
baidu-h5-low-score = Fail: not the same person (score below the threshold)
baidu-h5-liveness = Fail: liveness check failed
baidu-h5-quality = Fail: face image quality too low
baidu-h5-no-face = Fail: no face in the picture
baidu-h5-covered = Fail: face covered
baidu-h5-blurred = Fail: face blurred
baidu-h5-lighting = Fail: bad lighting
baidu-h5-incomplete = Fail: face incomplete
baidu-h5-openapi-limit = Pass, but the paid interfaces are not opened: queries answer 18 openapi limit
baidu-h5-leave = Leave: the user gives up, back to failedUrl with no verification

# Baidu smart program, legal-person face check (src/vendors/baidu_smartapp.rs).
smartapp-title = Baidu smart-program legal-person face check
smartapp-intro = No camera is used: choose the legal_face_status faceauthen reports from now on.
smartapp-unknown-title = Unknown QR code
smartapp-unknown = This legal-person face task is not known to the sandbox.
smartapp-decided-title = Already decided
smartapp-decided = This legal-person face task already ended; ask faceauthen for a new QR code.
smartapp-expired-title = QR code expired
smartapp-expired = This QR code has timed out; ask faceauthen for a new one.
smartapp-passed = Pass: the legal person passes
smartapp-rejected = Rejected
smartapp-in-progress = In progress: scanned, not finished yet
smartapp-recorded-title = Recorded
smartapp-recorded = faceauthen now reports { $status }.
