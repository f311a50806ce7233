//! WeChat's mini-program face APIs as the front end sees them: `shared/seeds/
//! 003_799500754a0fe100.txt`, 五 (`wx.checkIsSupportFacialRecognition`, 回调结果说明) and 三
//! (`wx.startFacialRecognitionVerify`'s `checkAliveType`).

wire_enum! {
    /// What `wx.checkIsSupportFacialRecognition` says about the device (its `errCode`).
    FaceSupportReason {
        /// 0: the device can capture a face.
        Supported => "supported",
        /// 10001: the device has no front camera.
        NoFrontCamera => "no_front_camera",
        /// 10002: the face model could not be downloaded.
        ModelNotDownloaded => "model_not_downloaded",
        /// 10003: WeChat's backend does not allow it on this device.
        DisabledByBackend => "disabled_by_backend",
        /// A failure without a documented code (iOS returns no errCode; seed 003 五).
        Unknown => "unknown",
    }
}

/// Every `errCode` of `wx.checkIsSupportFacialRecognition` the seed lists (Android only), and
/// its reason. The seed's callback table for `wx.startFacialRecognitionVerify` is empty, so
/// none are listed for that call.
pub const CHECK_SUPPORT_CODES: &[(i64, FaceSupportReason)] = &[
    (0, FaceSupportReason::Supported),
    (10001, FaceSupportReason::NoFrontCamera),
    (10002, FaceSupportReason::ModelNotDownloaded),
    (10003, FaceSupportReason::DisabledByBackend),
];

impl FaceSupportReason {
    /// The reason for an `errCode`: the table's, else [`FaceSupportReason::Unknown`].
    #[inline]
    pub fn from_code(code: i64) -> Self {
        CHECK_SUPPORT_CODES
            .iter()
            .find(|(known, _)| *known == code)
            .map_or(Self::Unknown, |(_, reason)| *reason)
    }

    /// The seed's own words for a documented code's reason.
    pub const fn message(self) -> Option<&'static str> {
        match self {
            Self::Supported => Some("支持人脸采集"),
            Self::NoFrontCamera => Some("不支持人脸采集：设备没有前置摄像头"),
            Self::ModelNotDownloaded => Some("不支持人脸采集：没有下载到必要模型"),
            Self::DisabledByBackend => Some("不支持人脸采集：后台控制不支持"),
            Self::Unknown => None,
        }
    }
}

/// `checkAliveType`: how the liveness check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckAliveType {
    /// 1 读数字: the user reads digits aloud (the default).
    ReadDigits,
    /// 2: screen flash where the device can, else reading digits.
    FlashThenDigits,
}

impl CheckAliveType {
    pub const ALL: [Self; 2] = [Self::ReadDigits, Self::FlashThenDigits];

    /// The number the API takes.
    pub const fn code(self) -> u8 {
        match self {
            Self::ReadDigits => 1,
            Self::FlashThenDigits => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| i64::from(kind.code()) == code)
    }

    /// The seed's own words.
    pub const fn message(self) -> &'static str {
        match self {
            Self::ReadDigits => "读数字",
            Self::FlashThenDigits => "先检查是否可以屏幕闪烁，不可以则自动为读数字",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_list_the_seeds_codes() {
        let codes: Vec<i64> = CHECK_SUPPORT_CODES.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, [0, 10001, 10002, 10003]);
        for (code, reason) in CHECK_SUPPORT_CODES {
            assert_eq!(FaceSupportReason::from_code(*code), *reason);
            assert!(reason.message().is_some());
        }
        assert_eq!(
            FaceSupportReason::from_code(12345),
            FaceSupportReason::Unknown
        );
        assert_eq!(CheckAliveType::ALL.len(), 2);
        for kind in CheckAliveType::ALL {
            assert_eq!(CheckAliveType::from_code(kind.code().into()), Some(kind));
        }
        assert_eq!(CheckAliveType::from_code(3), None);
    }

    #[test]
    fn the_device_support_cases_agree_with_the_table() {
        // tests/cases/device_support.json is what the wasm helper and the plain-JS adapter
        // answer; every documented code is in it, with this table's reason.
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/cases/device_support.json"))
                .unwrap();
        let cases = table["cases"].as_array().unwrap();
        for (code, reason) in CHECK_SUPPORT_CODES {
            let reason = serde_json::to_value(reason).unwrap();
            assert!(
                cases.iter().any(|case| case["input"]["errCode"] == *code
                    && case["expected"]["reason"] == reason),
                "{code} is not in tests/cases/device_support.json"
            );
        }
    }
}
