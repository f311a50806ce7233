# facegate's own simulated vendor (src/generic.rs).
generic-title = Face verification
generic-intro = No camera is used: choose the result this simulated face check returns.
generic-unknown = This verification link is not known to the sandbox. Start a new verification.
generic-used = This verification link was used once already; links are single use. Start a new verification.
generic-expired = This verification link has expired. Start a new verification.
generic-pass = Pass: the face matches
generic-not-same-person = Fail: not the same person
generic-identity-mismatch = Fail: name and ID number do not match
generic-id-document-unreadable = Fail: ID card unreadable
generic-id-document-fake = Fail: fake ID card
generic-liveness-failed = Fail: liveness attack (photo, screen, mask)
generic-capture-failed = Fail: capture problem
generic-user-canceled = Fail: user canceled
generic-underage = Fail: underage
generic-result-tampered = Fail: result tampered
generic-account-error = Fail: merchant account problem
generic-vendor-error = Fail: vendor error
