//! Vendor page URLs built from their parts, every parameter percent-encoded, and the landing
//! URL facegate's return flow sends the browser to.

use facegate_types::{NextAction, VerificationStatus};
use serde::Serialize;

use crate::device::Container;
use crate::error::{HelperError, Problem, ReturnUrlProblem};
use crate::miniprogram::Posted;
use crate::read::Strict;

pub use facegate_types::front_end::pages::{
    append_query, decode_component, encode_component, encode_path_segment, BAIDU_H5_PAGE,
    FACEID_LITE_HOST,
};
use facegate_types::front_end::pages::{baidu_h5_page_url, faceid_lite_page_url};

/// The query pairs of `url` (before any `#`), decoded; pairs that do not decode are skipped.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let Some((_, query)) = without_fragment.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_component(key)?, decode_component(value)?))
        })
        .collect()
}

/// Where facegate's return flow sends the browser: the merchant's `return_url` with
/// `verification_id` and `status` set (any earlier values of those two dropped, so a merchant
/// URL cannot pre-set them; everything else kept byte for byte).
pub fn landing_url(return_url: &str, verification_id: &str, status: VerificationStatus) -> String {
    append_query(
        return_url,
        &[
            ("verification_id", verification_id),
            ("status", status.as_str()),
        ],
    )
}

fn require_http_url(field: &'static str, value: &str) -> Result<(), HelperError> {
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    // `get` rather than indexing: no slicing panic (and its formatting) is linked.
    let scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return Err(HelperError::invalid(field, Problem::HttpUrl));
    };
    let rest = value.get(scheme..).unwrap_or_default();
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 || value.chars().any(char::is_whitespace) {
        return Err(HelperError::invalid(field, Problem::HttpUrl));
    }
    Ok(())
}

fn require_token(field: &'static str, value: &str) -> Result<(), HelperError> {
    if value.trim().is_empty() {
        return Err(HelperError::invalid(field, Problem::Empty));
    }
    Ok(())
}

/// The parts of Baidu's H5 page URL.
/// Every field reads as empty when missing, so that `baidu_h5_url` names the one at fault.
#[derive(Clone, Debug, Default)]
pub struct BaiduH5Link {
    /// `verify_token` from `verifyToken/generate`.
    pub token: String,
    /// Where Baidu sends the user after a pass.
    pub success_url: String,
    /// Where Baidu sends the user after a failure.
    pub failed_url: String,
    /// The page, when not Baidu's own (a proxy, the sandbox).
    pub page_url: Option<String>,
}

impl BaiduH5Link {
    /// Reads `baiduH5Url`'s `link` (`token`, `successUrl`, `failedUrl`, `pageUrl`) strictly.
    pub fn read<V: Posted>(value: &V) -> Result<Self, HelperError> {
        let link = Strict::object(value, "link")?;
        Ok(Self {
            token: link.string("token")?.unwrap_or_default(),
            success_url: link.string("successUrl")?.unwrap_or_default(),
            failed_url: link.string("failedUrl")?.unwrap_or_default(),
            page_url: link.string("pageUrl")?,
        })
    }
}

/// `https://brain.baidu.com/face/print/?token=..&successUrl=..&failedUrl=..`, each value
/// percent-encoded (seed 001).
pub fn baidu_h5_url(link: &BaiduH5Link) -> Result<String, HelperError> {
    require_token("token", &link.token)?;
    require_http_url("successUrl", &link.success_url)?;
    require_http_url("failedUrl", &link.failed_url)?;
    let page = link.page_url.as_deref().unwrap_or(BAIDU_H5_PAGE);
    require_http_url("pageUrl", page)?;
    Ok(baidu_h5_page_url(
        page,
        &link.token,
        &link.success_url,
        &link.failed_url,
    ))
}

/// `https://openapi.faceid.com/lite/v1/do/<biz_token>` (seed 004).
pub fn faceid_lite_url(biz_token: &str, host: Option<&str>) -> Result<String, HelperError> {
    require_token("bizToken", biz_token)?;
    let host = host.unwrap_or(FACEID_LITE_HOST);
    require_http_url("host", host)?;
    Ok(faceid_lite_page_url(host, biz_token))
}

/// OEMCloud's two links for one flow (seed 002 response `data`).
#[derive(Clone, Debug)]
pub struct OemcloudLinks {
    /// The short link (`authUrl`).
    pub auth_url: Option<String>,
    /// The long link (`originalUrl`).
    pub original_url: Option<String>,
}

impl OemcloudLinks {
    /// Reads `oemcloudUrl`'s `links` (`authUrl`, `originalUrl`) strictly.
    pub fn read<V: Posted>(value: &V) -> Result<Self, HelperError> {
        let links = Strict::object(value, "links")?;
        Ok(Self {
            auth_url: links.string("authUrl")?,
            original_url: links.string("originalUrl")?,
        })
    }
}

/// Which of OEMCloud's links to open in `container`: only the long link can be a
/// mini-program's web-view business domain (seed 002 "后端接口注意事项" 1), so mini-program
/// web-views get `originalUrl`; every other page gets the short `authUrl`. Either falls back to
/// the other when only one is given.
pub fn oemcloud_url(links: &OemcloudLinks, container: Container) -> Result<String, HelperError> {
    let short = links.auth_url.as_deref().filter(|url| !url.is_empty());
    let long = links.original_url.as_deref().filter(|url| !url.is_empty());
    let chosen = if container.is_mini_program_web_view() {
        long.or(short)
    } else {
        short.or(long)
    };
    let url = chosen.ok_or(HelperError::invalid("authUrl", Problem::NoLink))?;
    require_http_url(
        if Some(url) == short {
            "authUrl"
        } else {
            "originalUrl"
        },
        url,
    )?;
    Ok(url.to_owned())
}

/// A next action as JavaScript hands it over (the server's JSON: `type` and snake_case
/// fields). Read property by property rather than through `NextAction`'s internally tagged
/// serde, which buffers and costs the .wasm several KB; `parse` checks it as `NextAction`.
#[derive(Clone, Debug)]
pub struct RawNextAction {
    pub kind: String,
    pub url: Option<String>,
    pub user_id_key: Option<String>,
    pub face_token: Option<String>,
    pub verify_id: Option<String>,
}

impl RawNextAction {
    /// Reads the next action given as `argument` strictly; an absent `type` reads as empty,
    /// which `parse` rejects.
    pub fn read<V: Posted>(value: &V, argument: &'static str) -> Result<Self, HelperError> {
        let action = Strict::object(value, argument)?;
        Ok(Self {
            kind: action.string("type")?.unwrap_or_default(),
            url: action.string("url")?,
            user_id_key: action.string("user_id_key")?,
            face_token: action.string("face_token")?,
            verify_id: action.string("verify_id")?,
        })
    }

    pub fn parse(self) -> Result<NextAction, HelperError> {
        let missing = |field: &'static str| HelperError::invalid(field, Problem::Required);
        match self.kind.as_str() {
            "redirect" => Ok(NextAction::Redirect {
                url: self.url.clone().ok_or_else(|| missing("nextAction.url"))?,
            }),
            "web_view" => Ok(NextAction::WebView {
                url: self.url.clone().ok_or_else(|| missing("nextAction.url"))?,
                face_token: self.face_token.clone(),
            }),
            "wechat_mini_program" => Ok(NextAction::WechatMiniProgram {
                user_id_key: self
                    .user_id_key
                    .clone()
                    .ok_or_else(|| missing("nextAction.user_id_key"))?,
            }),
            "wechat_verify" => Ok(NextAction::WechatVerify {
                verify_id: self
                    .verify_id
                    .clone()
                    .ok_or_else(|| missing("nextAction.verify_id"))?,
            }),
            _ => Err(HelperError::invalid("nextAction.type", Problem::ActionType)),
        }
    }
}

/// The URL a next action sends the page to: `redirect` in the page itself, `web_view` in a
/// mini-program web-view. A `wechat_mini_program` or `wechat_verify` action is a mini-program
/// API call instead.
pub fn next_action_url(action: &NextAction) -> Result<&str, HelperError> {
    match action {
        NextAction::Redirect { url } | NextAction::WebView { url, .. } => {
            require_http_url("nextAction.url", url)?;
            Ok(url)
        }
        NextAction::WechatMiniProgram { .. } => {
            Err(HelperError::NotARedirect("wechat_mini_program"))
        }
        NextAction::WechatVerify { .. } => Err(HelperError::NotARedirect("wechat_verify")),
    }
}

/// What facegate's return flow appended to the merchant's return_url.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnParams {
    pub verification_id: String,
    /// The status at the time of the redirect: a hint; confirm with the backend.
    pub status: VerificationStatus,
}

/// Reads `verification_id` and `status` from the landing URL. Any other parameter (a vendor's
/// `biz_token`, the merchant's own) is left alone: the session id alone names the session.
pub fn parse_return_url(url: &str) -> Result<ReturnParams, HelperError> {
    let pairs = query_pairs(url);
    let find = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let id = find("verification_id").filter(|id| !id.is_empty()).ok_or(
        HelperError::InvalidReturnUrl(ReturnUrlProblem::NoVerificationId),
    )?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(HelperError::InvalidReturnUrl(
            ReturnUrlProblem::BadVerificationId,
        ));
    }
    let status = find("status")
        .ok_or(HelperError::InvalidReturnUrl(ReturnUrlProblem::NoStatus))?
        .parse::<VerificationStatus>()
        .map_err(|_| HelperError::InvalidReturnUrl(ReturnUrlProblem::BadStatus))?;
    Ok(ReturnParams {
        verification_id: id.to_owned(),
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::json::json as read_json;

    const AWKWARD: &str = "https://shop.example/done?a=1&b=二#x";

    #[test]
    fn baidu_url_encodes_both_return_urls() {
        let url = baidu_h5_url(&BaiduH5Link {
            token: "tok en&1".into(),
            success_url: AWKWARD.into(),
            failed_url: "https://shop.example/failed#top".into(),
            page_url: None,
        })
        .unwrap();
        assert!(url.starts_with(
            "https://brain.baidu.com/face/print/?token=tok%20en%261&successUrl=https%3A%2F%2F"
        ));
        assert!(!url.contains('#'), "{url}");
        let pairs = query_pairs(&url);
        assert_eq!(
            pairs,
            [
                ("token".into(), "tok en&1".into()),
                ("successUrl".into(), AWKWARD.into()),
                ("failedUrl".into(), "https://shop.example/failed#top".into()),
            ]
        );
    }

    #[test]
    fn baidu_url_rejects_what_baidu_cannot_return_to() {
        let mut link = BaiduH5Link {
            token: "t".into(),
            success_url: "javascript:alert(1)".into(),
            failed_url: "https://x.example/".into(),
            page_url: None,
        };
        let error = baidu_h5_url(&link).unwrap_err();
        assert_eq!(error.field(), Some("successUrl"));
        link.success_url = "https://x.example/".into();
        link.token = " ".into();
        assert_eq!(baidu_h5_url(&link).unwrap_err().field(), Some("token"));
        link.token = "t".into();
        link.failed_url = "https:///nohost".into();
        assert_eq!(baidu_h5_url(&link).unwrap_err().field(), Some("failedUrl"));
    }

    #[test]
    fn a_page_url_with_its_own_query_gets_an_ampersand() {
        let url = baidu_h5_url(&BaiduH5Link {
            token: "t".into(),
            success_url: "https://a.example/".into(),
            failed_url: "https://a.example/".into(),
            page_url: Some("http://127.0.0.1:9/sandbox/baidu/?lang=zh".into()),
        })
        .unwrap();
        assert!(url.starts_with("http://127.0.0.1:9/sandbox/baidu/?lang=zh&token=t&"));
        assert_eq!(append_query("https://a/?", &[("k", "v")]), "https://a/?k=v");
        assert_eq!(
            append_query("https://a/p#f", &[("k", "v w")]),
            "https://a/p?k=v%20w#f"
        );
    }

    #[test]
    fn faceid_lite_url_keeps_the_documented_comma() {
        assert_eq!(
            faceid_lite_url("1462257147,34fb21937e47ae719f11cbc719615687", None).unwrap(),
            "https://openapi.faceid.com/lite/v1/do/1462257147,34fb21937e47ae719f11cbc719615687"
        );
        assert_eq!(
            faceid_lite_url("a/b?c", Some("http://127.0.0.1:1/sandbox/faceid/")).unwrap(),
            "http://127.0.0.1:1/sandbox/faceid/lite/v1/do/a%2Fb%3Fc"
        );
        assert_eq!(
            faceid_lite_url("", None).unwrap_err().field(),
            Some("bizToken")
        );
    }

    #[test]
    fn oemcloud_picks_the_long_link_only_in_mini_program_web_views() {
        let links = OemcloudLinks {
            auth_url: Some("https://smlt.tsign.cn/I7vLahiqTMqT".into()),
            original_url: Some(
                "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1#wechat_redirect"
                    .into(),
            ),
        };
        assert_eq!(
            oemcloud_url(&links, Container::MobileBrowser).unwrap(),
            "https://smlt.tsign.cn/I7vLahiqTMqT"
        );
        assert_eq!(
            oemcloud_url(&links, Container::AlipayMiniProgram).unwrap(),
            links.original_url.clone().unwrap()
        );
        assert_eq!(
            oemcloud_url(&links, Container::WechatMiniProgram).unwrap(),
            links.original_url.clone().unwrap()
        );
        let short_only = OemcloudLinks {
            auth_url: links.auth_url.clone(),
            original_url: None,
        };
        assert_eq!(
            oemcloud_url(&short_only, Container::AlipayMiniProgram).unwrap(),
            "https://smlt.tsign.cn/I7vLahiqTMqT"
        );
        let none = OemcloudLinks {
            auth_url: None,
            original_url: Some(String::new()),
        };
        assert_eq!(
            oemcloud_url(&none, Container::DesktopBrowser)
                .unwrap_err()
                .code(),
            "invalid_argument"
        );
    }

    #[test]
    fn next_actions_that_navigate_give_their_url() {
        let redirect = NextAction::Redirect {
            url: "http://127.0.0.1:8080/sandbox/h5/sbx_1".into(),
        };
        assert_eq!(
            next_action_url(&redirect).unwrap(),
            "http://127.0.0.1:8080/sandbox/h5/sbx_1"
        );
        let wechat = NextAction::WechatMiniProgram {
            user_id_key: "k".into(),
        };
        assert_eq!(
            next_action_url(&wechat).unwrap_err().code(),
            "not_a_redirect"
        );
        let bad = NextAction::Redirect {
            url: "javascript:void(0)".into(),
        };
        assert_eq!(
            next_action_url(&bad).unwrap_err().code(),
            "invalid_argument"
        );
    }

    #[test]
    fn raw_next_actions_read_like_the_shared_type() {
        for action in [
            NextAction::Redirect {
                url: "https://a/".into(),
            },
            NextAction::WebView {
                url: "https://a/".into(),
                face_token: Some("f".into()),
            },
            NextAction::WebView {
                url: "https://a/".into(),
                face_token: None,
            },
            NextAction::WechatMiniProgram {
                user_id_key: "k".into(),
            },
            NextAction::WechatVerify {
                verify_id: "v".into(),
            },
        ] {
            let json = serde_json::to_string(&action).unwrap();
            let raw = RawNextAction::read(&read_json(&json), "nextAction").unwrap();
            assert_eq!(raw.parse().unwrap(), action);
        }
        let unknown = RawNextAction::read(
            &read_json(r#"{"type":"popup","url":"https://a/"}"#),
            "nextAction",
        )
        .unwrap();
        assert_eq!(
            unknown.parse().unwrap_err().field(),
            Some("nextAction.type")
        );
        let no_url =
            RawNextAction::read(&read_json(r#"{"type":"redirect"}"#), "nextAction").unwrap();
        assert_eq!(no_url.parse().unwrap_err().code(), "invalid_argument");
        let no_type =
            RawNextAction::read(&read_json(r#"{"url":"https://a/"}"#), "nextAction").unwrap();
        assert_eq!(
            no_type.parse().unwrap_err().field(),
            Some("nextAction.type")
        );
        let odd = RawNextAction::read(&read_json(r#"{"type":"redirect","url":3}"#), "nextAction");
        assert_eq!(odd.unwrap_err().field(), Some("nextAction"));
    }

    #[test]
    fn landing_urls_give_the_session_and_its_status() {
        let params = parse_return_url(
            "https://shop.example/return?order=9&biz_token=1,2&verification_id=vs_abc123&status=verified#done",
        )
        .unwrap();
        assert_eq!(params.verification_id, "vs_abc123");
        assert_eq!(params.status, VerificationStatus::Verified);
        assert_eq!(
            parse_return_url("https://s/r?verification_id=vs_1&status=failed")
                .unwrap()
                .status,
            VerificationStatus::Failed
        );
    }

    #[test]
    fn landing_urls_keep_the_merchants_query_byte_for_byte() {
        // The server's ReturnUrl::landing runs the same table.
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/cases/return_urls.json")).unwrap();
        let cases = table["cases"].as_array().unwrap();
        assert!(cases.len() >= 20, "the table lost its cases");
        for case in cases {
            let field = |key: &str| case[key].as_str().unwrap();
            let status: VerificationStatus = field("status").parse().unwrap();
            let landing = landing_url(field("return_url"), field("verification_id"), status);
            assert_eq!(landing, field("landing"), "{}", field("name"));
            let params = parse_return_url(&landing).unwrap();
            assert_eq!(
                params.verification_id,
                field("verification_id"),
                "{landing}"
            );
            assert_eq!(params.status, status, "{landing}");
        }
    }

    #[test]
    fn landing_urls_without_the_parameters_are_rejected() {
        for url in [
            "https://s/r",
            "https://s/r?status=verified",
            "https://s/r?verification_id=&status=verified",
            "https://s/r?verification_id=vs_1",
            "https://s/r?verification_id=vs_1&status=passed",
            "https://s/r?verification_id=vs%2F..%2Fx&status=verified",
            "https://s/r#verification_id=vs_1&status=verified",
        ] {
            let error = parse_return_url(url).unwrap_err();
            assert_eq!(error.code(), "invalid_return_url", "{url}");
        }
    }
}
