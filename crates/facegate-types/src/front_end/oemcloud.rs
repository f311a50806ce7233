//! e-sign OEMCloud in a mini-program, as the front end sees it: `shared/seeds/
//! 002_d081a07c7b03759c.txt`, 支付宝小程序对接说明 and 小程序端内嵌H5页集成对接说明 (the
//! message types its page posts to the web-view), and `my.startAPVerify`'s `resultStatus`
//! (VENDORS.md, oemcloud).

/// A web-view message type facegate acts on; every other type is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebViewMessageType {
    /// `IDENTITY_ALI_FACE_AWAKE`: call `my.startAPVerify({url, certifyId: token})`.
    AliFaceAwake,
    /// `RN_DONE`: the real-name flow finished; ask the backend for the result.
    RealNameDone,
}

impl WebViewMessageType {
    pub const ALL: [Self; 2] = [Self::AliFaceAwake, Self::RealNameDone];

    /// The `type` as the page posts it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AliFaceAwake => "IDENTITY_ALI_FACE_AWAKE",
            Self::RealNameDone => "RN_DONE",
        }
    }

    /// The type a message's `type` names, exactly; `None` for any other.
    #[inline]
    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == kind)
    }
}

/// `my.startAPVerify`'s `resultStatus` values facegate acts on; any other means the face check
/// did not run to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApVerifyStatus {
    /// 9000: the user finished; ask the backend.
    Finished,
    /// 6001: the user gave up.
    UserCanceled,
}

impl ApVerifyStatus {
    pub const ALL: [Self; 2] = [Self::Finished, Self::UserCanceled];

    pub const fn code(self) -> i64 {
        match self {
            Self::Finished => 9000,
            Self::UserCanceled => 6001,
        }
    }

    /// The code in decimal, as a runtime that sends a string sends it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Finished => "9000",
            Self::UserCanceled => "6001",
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// A `resultStatus` read as text (runtimes send a string or a number): the code in
    /// decimal, exactly (`"9000"`, not `" 9000"` or `"09000"`), as the plain-JS adapter
    /// compares it.
    #[inline]
    pub fn from_text(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_types_and_statuses_read_exactly() {
        for kind in WebViewMessageType::ALL {
            assert_eq!(WebViewMessageType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(WebViewMessageType::parse("rn_done"), None);
        assert_eq!(WebViewMessageType::parse("SIGN_SUCCESS"), None);
        assert_eq!(
            ApVerifyStatus::from_code(9000),
            Some(ApVerifyStatus::Finished)
        );
        assert_eq!(
            ApVerifyStatus::from_code(6001),
            Some(ApVerifyStatus::UserCanceled)
        );
        assert_eq!(ApVerifyStatus::from_code(4000), None);
        assert_eq!(
            ApVerifyStatus::from_text("9000"),
            Some(ApVerifyStatus::Finished)
        );
        assert_eq!(
            ApVerifyStatus::from_text("6001"),
            Some(ApVerifyStatus::UserCanceled)
        );
        for status in ApVerifyStatus::ALL {
            assert_eq!(status.as_str(), status.code().to_string());
        }
        for odd in ["09000", "+9000", " 9000", "9000.0", "", "finished"] {
            assert_eq!(ApVerifyStatus::from_text(odd), None, "{odd:?}");
        }
    }
}
