//! `GET /v1/verifications/{id}/baidu_h5/{query}`: Baidu H5's own queries after a session's
//! flow (result/simple, detail, stat, media/query, getall; seed 001), answered with the views
//! in `view/baidu_h5.rs`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use facegate_types::Provider;
use facegate_vendors::baidu_h5::codes::{self, CodeKind};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;

use super::load;
use crate::api::Merchant;
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::view::baidu_h5::{DetailView, GetAllView, MediaView, SimpleView, StatView};

/// The five queries, by the last segment of the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
enum BaiduH5Query {
    Simple,
    Detail,
    Stat,
    Media,
    GetAll,
}

impl BaiduH5Query {
    fn parse(segment: &str) -> Option<Self> {
        match segment {
            "simple" => Some(Self::Simple),
            "detail" => Some(Self::Detail),
            "stat" => Some(Self::Stat),
            "media" => Some(Self::Media),
            "getall" => Some(Self::GetAll),
            _ => None,
        }
    }
}

/// Baidu's own queries after the flow, passed through (see README: Vendor extras).
#[utoipa::path(
    get,
    path = "/v1/verifications/{id}/baidu_h5/{query}",
    operation_id = "queryBaiduH5Verification",
    tag = "vendor extras",
    params(
        ("id" = String, Path, description = "A baidu_h5 session id"),
        ("query" = inline(BaiduH5Query), Path, description = "Which of Baidu's queries"),
    ),
    responses(
        (status = 200, description = "Baidu's answer, typed per query", body = Object),
        (status = 400, description = "baidu_h5 is not configured here (`provider_unavailable`); or \
            the id or query is not valid UTF-8", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 404, description = "No such session or query", body = facegate_types::ErrorBody),
        (status = 409, description = "Not answerable for this session now", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
        (status = 502, description = "Baidu's error, or an answer facegate cannot read", body = facegate_types::ErrorBody),
        (status = 503, description = "Baidu is rate limiting facegate", body = facegate_types::ErrorBody),
        (status = 504, description = "Baidu did not answer in time, could not be reached, or failed \
            (5xx)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn baidu_h5_query(
    State(state): State<AppState>,
    _merchant: Merchant,
    Path((id, query)): Path<(String, String)>,
) -> AppResult<Response> {
    let query = BaiduH5Query::parse(&query).ok_or(AppError::NotFound(
        "no such baidu_h5 query: use simple, detail, stat, media or getall",
    ))?;
    let record = load(&state, &id).await?;
    if record.provider != Provider::BaiduH5 {
        return Err(AppError::Conflict(format!(
            "this verification uses {}, not baidu_h5",
            record.provider
        )));
    }
    let Some(token) = record.vendor_ref.as_deref() else {
        return Err(AppError::Conflict(
            "this verification has no Baidu verify_token yet".into(),
        ));
    };
    let client = state.vendor_extras.baidu_h5.as_ref().ok_or_else(|| {
        AppError::ProviderUnavailable(
            "baidu_h5 is not configured here: set FACEGATE_BAIDU_API_KEY, \
             FACEGATE_BAIDU_SECRET_KEY and FACEGATE_BAIDU_PLAN_ID"
                .into(),
        )
    })?;
    let token = Pii::new(token);
    let answer = match query {
        BaiduH5Query::Simple => client
            .result_simple(&token)
            .await
            .map(|simple| Json(SimpleView::from(simple)).into_response()),
        BaiduH5Query::Detail => client
            .result_detail(&token)
            .await
            .and_then(DetailView::from_outcome)
            .map(|detail| Json(detail).into_response()),
        BaiduH5Query::Stat => client
            .result_stat(&token)
            .await
            .map(|stat| Json(StatView::from(stat)).into_response()),
        BaiduH5Query::Media => client
            .result_media(&token)
            .await
            .map(|media| Json(MediaView::from(media)).into_response()),
        BaiduH5Query::GetAll => client
            .result_getall(&token)
            .await
            .map(|all| Json(GetAllView::from(all)).into_response()),
    };
    answer.map_err(baidu_h5_error)
}

/// Token无效或者已过期 (seed 001, 常见问题 1) about the session's own token is not the
/// merchant's bad request: Baidu has nothing to answer yet, or no longer.
const NOT_VERIFIED: &str = "Baidu has no finished verification on this session's verify_token \
     (Token无效或者已过期): the user has not finished, or the 3 days of queries are over";

fn baidu_h5_error(error: VendorError) -> AppError {
    match error {
        VendorError::InvalidRequest {
            field: Some(field), ..
        } if field == "verify_token" => AppError::Conflict(NOT_VERIFIED.into()),
        // A failed verification answers its attempt's code to every query but stat / media.
        VendorError::Api { code, message, .. } | VendorError::Refused { code, message, .. }
            if is_attempt_code(&code) =>
        {
            AppError::Conflict(format!(
                "the verification did not pass ({code}): {message}; Baidu answers this query \
                 for passed verifications only"
            ))
        }
        other => AppError::Vendor(other),
    }
}

/// The codes result/detail reads as an attempt's failure (see `BaiduH5Client::result_detail`).
fn is_attempt_code(code: &str) -> bool {
    !code.is_empty()
        && !code.starts_with("2220")
        && codes::lookup(code).is_none_or(|entry| entry.kind == CodeKind::Verification)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_by_their_segment() {
        assert_eq!(BaiduH5Query::parse("getall"), Some(BaiduH5Query::GetAll));
        assert_eq!(BaiduH5Query::parse("media"), Some(BaiduH5Query::Media));
        assert_eq!(BaiduH5Query::parse("result"), None);
    }

    #[test]
    fn the_sessions_own_token_error_is_a_conflict_and_attempt_codes_too() {
        let not_verified = baidu_h5_error(VendorError::InvalidRequest {
            code: "216100".into(),
            message: "Token无效或者已过期".into(),
            field: Some("verify_token".into()),
        });
        assert!(matches!(not_verified, AppError::Conflict(_)));
        let failed = baidu_h5_error(VendorError::Api {
            code: "222351".into(),
            message: "身份证号与姓名不匹配或该身份证号不存在".into(),
            log_id: None,
        });
        assert!(
            matches!(&failed, AppError::Conflict(message) if message.contains("222351")),
            "{failed:?}"
        );
        // 18 (openapi limit) is the account's, not the attempt's: it stays a vendor error.
        let limit = baidu_h5_error(VendorError::Api {
            code: "18".into(),
            message: "Open api qps request limit reached".into(),
            log_id: None,
        });
        assert!(matches!(limit, AppError::Vendor(_)));
    }
}
