# Alibaba Cloud financial-grade real-person verification (src/vendors/aliyun_cloudauth.rs).
aliyun-title = Alibaba Cloud financial-grade real-person verification
aliyun-intro = No camera is used: choose what DescribeFaceVerify will answer. Closing this page is abandoning: Alibaba then never calls back.
aliyun-used-title = Verification link no longer valid
aliyun-used = This CertifyUrl was used once already (single use).
aliyun-expired-title = Verification link expired
aliyun-expired = This CertifyUrl has expired (valid 30 minutes).
aliyun-unknown-title = Invalid verification link
aliyun-unknown = This CertifyId is not known to the sandbox.
