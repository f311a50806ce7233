# e-sign face authentication, OEMCloud (src/vendors/oemcloud.rs).
oemcloud-title = e-sign face authentication
oemcloud-intro = Mode { $mode }: choose the result of this simulated face check.
oemcloud-short-link-unknown-title = Unknown link
oemcloud-short-link-unknown = This short link is not known to the sandbox.
oemcloud-unknown-title = Unknown flow
oemcloud-unknown = This flow is not known to the sandbox.
oemcloud-used-title = Link already used
oemcloud-used = This face auth link was used once already. Start a new verification.
oemcloud-expired-title = Link expired
oemcloud-expired = This face auth link has expired. Start a new verification.
oemcloud-pass = Pass: face matches the identity
oemcloud-not-same = Fail: face does not match
oemcloud-liveness = Fail: liveness check failed
oemcloud-cancel = Fail: the user canceled
oemcloud-finished-title = Verification finished
oemcloud-finished = Return to the mini-program.
