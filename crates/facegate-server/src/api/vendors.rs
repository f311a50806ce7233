//! The vendors' extra endpoints for the merchant, beside the session API: Baidu H5's queries
//! after a session's flow (result/simple, detail, stat, media/query, getall; seed 001) and
//! Baidu smart-program's legal-person face check (faceauthen, setexempt; seed 000).
//!
//! Each answer is a view of the vendor's: field names follow the vendor's documents (snake
//! case where the vendor mixes cases), image and media URLs are passed through as given, and
//! nothing here logs a value.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use facegate_types::Provider;
use facegate_vendors::baidu_h5::codes::{self, CodeKind};
use facegate_vendors::baidu_h5::{
    BaiduH5Client, DetailOutcome, DetailResult, GetAllResult, IdCardConfirm, IdCardImages,
    IdCardOcr, MediaResult, SimpleResult, StatEntry, StatResult, VerifyAttempt, VerifyDetail,
};
use facegate_vendors::baidu_smartapp::{Exemption, FaceAuthen, LegalFaceStatus, SmartappClient};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

use super::verifications::load;
use super::{AppJson, Merchant};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::providers::registry::VendorClients;
use crate::view::rfc3339;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/verifications/{id}/baidu_h5/{query}",
            get(baidu_h5_query),
        )
        .route("/v1/baidu_smartapp/faceauthen", post(faceauthen))
        .route("/v1/baidu_smartapp/setexempt", post(setexempt))
}

/// The clients behind these routes, built once with the application.
pub struct VendorExtras {
    /// Baidu H5, when its credentials are configured (or the sandbox stands in).
    baidu_h5: Option<BaiduH5Client>,
    /// Needs no credentials of facegate's own: the merchant passes the program's token.
    smartapp: SmartappClient,
}

impl VendorExtras {
    /// The registry's clients: Baidu H5's is the provider's own (base URLs, credentials, the
    /// access token shared through the database).
    pub fn new(clients: &VendorClients) -> Self {
        Self {
            baidu_h5: clients.baidu_h5.clone(),
            smartapp: clients.baidu_smartapp.clone(),
        }
    }
}

// ---- Baidu H5: the queries after the flow ----

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
            the id or query is not valid UTF-8 (axum's plain-text rejection)", content(
            (facegate_types::ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
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
async fn baidu_h5_query(
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

/// `result/simple`: where the final face image is (a URL carrying the verify_token).
#[derive(Serialize)]
struct SimpleView {
    image: String,
}

impl From<SimpleResult> for SimpleView {
    fn from(simple: SimpleResult) -> Self {
        Self {
            image: simple.image.expose().to_owned(),
        }
    }
}

/// `result/detail`: the scores and ID data of a passed verification, or the failed attempt's
/// code and message.
#[derive(Serialize)]
struct DetailView {
    /// Baidu answered a result (it does so only for a passed verification).
    answered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_message: Option<String>,
    log_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify_result: Option<ScoresView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idcard_ocr_result: Option<OcrView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idcard_images: Option<IdCardImagesView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idcard_confirm: Option<ConfirmView>,
}

#[derive(Serialize)]
struct ScoresView {
    score: Option<f64>,
    liveness_score: Option<f64>,
    spoofing: Option<f64>,
    is_demote: Option<bool>,
}

impl DetailView {
    fn from_outcome(outcome: DetailOutcome) -> Result<Self, VendorError> {
        match outcome {
            DetailOutcome::Answered { result, log_id } => {
                let DetailResult {
                    verify_result,
                    idcard_ocr_result,
                    idcard_images,
                    idcard_confirm,
                    is_demote,
                } = *result;
                Ok(Self {
                    answered: true,
                    vendor_code: None,
                    vendor_message: None,
                    log_id,
                    verify_result: verify_result.map(|scores| ScoresView {
                        score: scores.score,
                        liveness_score: scores.liveness_score,
                        spoofing: scores.spoofing,
                        is_demote: scores.is_demote.or(is_demote),
                    }),
                    idcard_ocr_result: idcard_ocr_result.map(OcrView::from),
                    idcard_images: idcard_images.map(IdCardImagesView::from),
                    idcard_confirm: idcard_confirm.map(ConfirmView::from),
                })
            }
            DetailOutcome::Failed {
                code,
                message,
                log_id,
            } => Ok(Self {
                answered: false,
                vendor_code: Some(code),
                vendor_message: Some(message),
                log_id,
                verify_result: None,
                idcard_ocr_result: None,
                idcard_images: None,
                idcard_confirm: None,
            }),
            DetailOutcome::NotVerified { code, message } => Err(VendorError::InvalidRequest {
                code,
                message,
                field: Some("verify_token".into()),
            }),
        }
    }
}

fn exposed(value: Option<Pii>) -> Option<String> {
    value.map(|value| value.expose().to_owned())
}

/// The ID card as Baidu's OCR read it.
#[derive(Serialize)]
struct OcrView {
    name: Option<String>,
    idcard_number: Option<String>,
    idcard_type: Option<String>,
    address: Option<String>,
    birthday: Option<String>,
    gender: Option<String>,
    nation: Option<String>,
    expire_time: Option<String>,
    issue_authority: Option<String>,
    issue_time: Option<String>,
}

impl From<IdCardOcr> for OcrView {
    fn from(ocr: IdCardOcr) -> Self {
        Self {
            name: exposed(ocr.name),
            idcard_number: exposed(ocr.id_card_number),
            idcard_type: ocr.idcard_type,
            address: exposed(ocr.address),
            birthday: exposed(ocr.birthday),
            gender: ocr.gender,
            nation: ocr.nation,
            expire_time: ocr.expire_time,
            issue_authority: ocr.issue_authority,
            issue_time: ocr.issue_time,
        }
    }
}

/// The ID card photos: base64 from detail, URLs from getall, as Baidu gives them.
#[derive(Serialize)]
struct IdCardImagesView {
    #[serde(skip_serializing_if = "Option::is_none")]
    front_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    front_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_image: Option<String>,
}

impl From<IdCardImages> for IdCardImagesView {
    fn from(images: IdCardImages) -> Self {
        Self {
            front_base64: exposed(images.front_base64),
            back_base64: exposed(images.back_base64),
            front_image: exposed(images.front_image),
            back_image: exposed(images.back_image),
        }
    }
}

/// What the user confirmed (Baidu masks it).
#[derive(Serialize)]
struct ConfirmView {
    name: Option<String>,
    idcard_number: Option<String>,
    idcard_type: Option<String>,
}

impl From<IdCardConfirm> for ConfirmView {
    fn from(confirm: IdCardConfirm) -> Self {
        Self {
            name: exposed(confirm.name),
            idcard_number: exposed(confirm.idcard_number),
            idcard_type: confirm.idcard_type,
        }
    }
}

/// `result/stat`: per backend interface (Baidu's names: `Verify_FIN`, `OCR`, `verify` ...),
/// the calls by error code. Interfaces with no calls are left out.
#[derive(Serialize)]
struct StatView {
    interfaces: BTreeMap<String, Vec<StatEntryView>>,
}

#[derive(Serialize)]
struct StatEntryView {
    error_code: String,
    count: i64,
}

impl From<StatEntry> for StatEntryView {
    fn from(entry: StatEntry) -> Self {
        Self {
            error_code: entry.error_code,
            count: entry.count,
        }
    }
}

impl From<StatResult> for StatView {
    fn from(stat: StatResult) -> Self {
        let StatResult {
            verify_fin,
            sessioncode,
            ocr,
            verify,
            video_liveness,
            liveness_colorful,
            verify_sec,
            other,
        } = stat;
        let mut interfaces = BTreeMap::new();
        for (name, entries) in [
            ("Verify_FIN", verify_fin),
            ("Sessioncode", sessioncode),
            ("OCR", ocr),
            ("verify", verify),
            ("VideoLiveness", video_liveness),
            ("Livenesscolorful", liveness_colorful),
            ("VerifySec", verify_sec),
        ] {
            if !entries.is_empty() {
                interfaces.insert(
                    name.to_owned(),
                    entries.into_iter().map(StatEntryView::from).collect(),
                );
            }
        }
        // Interfaces the seed does not name, where they have the documented entry shape.
        for (name, value) in other {
            if let Ok(entries) = serde_json::from_value::<Vec<StatEntry>>(value) {
                if !entries.is_empty() {
                    interfaces.insert(name, entries.into_iter().map(Into::into).collect());
                }
            }
        }
        Self { interfaces }
    }
}

/// `result/media/query`: video and image URLs, kept one day by Baidu.
#[derive(Serialize)]
struct MediaView {
    process_video: Vec<String>,
    video: Vec<String>,
    images: Vec<String>,
    /// An error Baidu met while processing the video.
    ext_info: Option<String>,
}

impl From<MediaResult> for MediaView {
    fn from(media: MediaResult) -> Self {
        Self {
            process_video: media.process_video.unwrap_or_default(),
            video: media.video.unwrap_or_default(),
            images: media.images.unwrap_or_default(),
            ext_info: media.ext_info,
        }
    }
}

/// `result/getall`: every attempt on the verify_token and what was charged.
#[derive(Serialize)]
struct GetAllView {
    verify_count: Option<i64>,
    ocr_charge_count: Option<i64>,
    match_charge_count: Option<i64>,
    verify_charge_count: Option<i64>,
    verify_result: Vec<AttemptView>,
}

#[derive(Serialize)]
struct AttemptView {
    order: Option<i64>,
    is_verify_passed: bool,
    code: Option<String>,
    message: Option<String>,
    verify_time: Option<String>,
    is_charged: Option<bool>,
    charge_type: Option<String>,
    charge_time: Option<String>,
    is_ocr_charge: Option<bool>,
    ocr_charge_time: Option<String>,
    ocr_count: Option<i64>,
    verify_detail: Option<VerifyDetailView>,
    idcard_confirm: Option<ConfirmView>,
    idcard_ocr_result: Option<OcrView>,
    idcard_images: Option<IdCardImagesView>,
}

#[derive(Serialize)]
struct VerifyDetailView {
    face_image: Option<String>,
    verify_log_id: Option<String>,
    score: Option<f64>,
    threshold: Option<f64>,
    liveness_score: Option<f64>,
    spoofing_score: Option<f64>,
    risk_level: Option<String>,
    risk_tag: Option<String>,
    is_demote: Option<bool>,
}

impl From<VerifyDetail> for VerifyDetailView {
    fn from(detail: VerifyDetail) -> Self {
        Self {
            face_image: exposed(detail.face_image),
            verify_log_id: detail.verify_log_id,
            score: detail.score,
            threshold: detail.threshold,
            liveness_score: detail.liveness_score,
            spoofing_score: detail.spoofing_score,
            risk_level: detail.risk_level,
            risk_tag: detail.risk_tag,
            is_demote: detail.is_demote,
        }
    }
}

impl From<VerifyAttempt> for AttemptView {
    fn from(attempt: VerifyAttempt) -> Self {
        // getall's example nests the OCR result and images in idcard_confirm, its table puts
        // them beside (seed 001): either way they are shown beside.
        let (confirm_ocr, confirm_images) = attempt
            .idcard_confirm
            .as_ref()
            .map(|confirm| {
                (
                    confirm.idcard_ocr_result.clone(),
                    confirm.idcard_images.clone(),
                )
            })
            .unwrap_or_default();
        Self {
            order: attempt.order,
            is_verify_passed: attempt.is_verify_passed,
            code: attempt.code,
            message: attempt.message,
            verify_time: attempt.verify_time,
            is_charged: attempt.is_charged,
            charge_type: attempt.charge_type,
            charge_time: attempt.charge_time,
            is_ocr_charge: attempt.is_ocr_charge,
            ocr_charge_time: attempt.ocr_charge_time,
            ocr_count: attempt.ocr_count,
            verify_detail: attempt.verify_detail.map(VerifyDetailView::from),
            idcard_confirm: attempt.idcard_confirm.map(ConfirmView::from),
            idcard_ocr_result: attempt.idcard_ocr_result.or(confirm_ocr).map(OcrView::from),
            idcard_images: attempt
                .idcard_images
                .or(confirm_images)
                .map(IdCardImagesView::from),
        }
    }
}

impl From<GetAllResult> for GetAllView {
    fn from(all: GetAllResult) -> Self {
        Self {
            verify_count: all.verify_count,
            ocr_charge_count: all.ocr_charge_count,
            match_charge_count: all.match_charge_count,
            verify_charge_count: all.verify_charge_count,
            verify_result: all.verify_result.into_iter().map(Into::into).collect(),
        }
    }
}

// ---- Baidu smart-program: the legal person's face check ----

/// The body of both smartapp calls: the authorised program's access token. No `Debug`: it
/// holds the token.
#[derive(Deserialize, utoipa::ToSchema)]
struct ProgramToken {
    #[serde(default)]
    access_token: Option<String>,
}

impl ProgramToken {
    fn parse(self) -> AppResult<SecretString> {
        match self.access_token {
            Some(token) if !token.trim().is_empty() => Ok(SecretString::from(token)),
            _ => Err(AppError::invalid(
                "access_token",
                "the authorised smart program's access_token is required",
            )),
        }
    }
}

/// The access token is the merchant's, so Baidu refusing it is the merchant's bad input.
fn smartapp_error(error: VendorError) -> AppError {
    match error {
        VendorError::Unauthorized { code, message } => AppError::invalid(
            "access_token",
            format!("Baidu rejected the access_token ({code}): {message}"),
        ),
        other => AppError::Vendor(other),
    }
}

/// `legal_face_status` by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum LegalFaceStatusView {
    Initialized,
    Passed,
    Rejected,
    InProgress,
}

impl From<LegalFaceStatus> for LegalFaceStatusView {
    fn from(status: LegalFaceStatus) -> Self {
        match status {
            LegalFaceStatus::Initialized => Self::Initialized,
            LegalFaceStatus::Passed => Self::Passed,
            LegalFaceStatus::Rejected => Self::Rejected,
            LegalFaceStatus::InProgress => Self::InProgress,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct FaceAuthenView {
    /// `data:image/png;base64,...`, ready for an `<img src>`.
    qrcode: String,
    /// When the QR code times out (the vendor's `timeout`).
    expires_at: String,
    legal_face_status: LegalFaceStatusView,
}

impl From<FaceAuthen> for FaceAuthenView {
    fn from(answer: FaceAuthen) -> Self {
        let expires_at = OffsetDateTime::from_unix_timestamp(answer.timeout)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self {
            expires_at: rfc3339(expires_at),
            legal_face_status: answer.legal_face_status.into(),
            qrcode: answer.qrcode,
        }
    }
}

/// The smart-program legal person's face auth QR code, and its status.
#[utoipa::path(
    post,
    path = "/v1/baidu_smartapp/faceauthen",
    operation_id = "requestBaiduSmartappFaceAuthen",
    tag = "vendor extras",
    request_body = ProgramToken,
    responses(
        (status = 200, description = "The QR code and status", body = FaceAuthenView),
        (status = 400, description = "No access_token, Baidu refused it, or the body is not JSON \
            with Content-Type: application/json (`field` names the field)", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
        (status = 502, description = "Baidu's error, or an answer facegate cannot read", body = facegate_types::ErrorBody),
        (status = 503, description = "Baidu is rate limiting facegate", body = facegate_types::ErrorBody),
        (status = 504, description = "Baidu did not answer in time, could not be reached, or failed \
            (5xx)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn faceauthen(
    State(state): State<AppState>,
    _merchant: Merchant,
    AppJson(body): AppJson<ProgramToken>,
) -> AppResult<Json<FaceAuthenView>> {
    let token = body.parse()?;
    let answer = state
        .vendor_extras
        .smartapp
        .faceauthen(&token)
        .await
        .map_err(smartapp_error)?;
    Ok(Json(answer.into()))
}

/// The fee exemption's dates, as Baidu writes them (`2019-5-30`).
#[derive(Serialize, utoipa::ToSchema)]
struct ExemptionView {
    add_time: String,
    push_time: String,
    overdue_time: String,
}

impl From<Exemption> for ExemptionView {
    fn from(exemption: Exemption) -> Self {
        Self {
            add_time: exemption.add_time,
            push_time: exemption.push_time,
            overdue_time: exemption.overdue_time,
        }
    }
}

/// The smart-program's fee exemption, once the legal person passed.
#[utoipa::path(
    post,
    path = "/v1/baidu_smartapp/setexempt",
    operation_id = "setBaiduSmartappExemption",
    tag = "vendor extras",
    request_body = ProgramToken,
    responses(
        (status = 200, description = "Baidu's dates", body = ExemptionView),
        (status = 400, description = "No access_token, Baidu refused it, or the body is not JSON \
            with Content-Type: application/json (`field` names the field)", body = facegate_types::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = facegate_types::ErrorBody),
        (status = 409, description = "Already opened (不可重复开通)", body = facegate_types::ErrorBody),
        (status = 413, description = "The body is larger than max_body_bytes", body = facegate_types::ErrorBody),
        (status = 500, description = "facegate failed (logged; the answer says no more)", body = facegate_types::ErrorBody),
        (status = 502, description = "Baidu's error (such as: the legal person has not passed the \
            face check yet), or an answer facegate cannot read", body = facegate_types::ErrorBody),
        (status = 503, description = "Baidu is rate limiting facegate", body = facegate_types::ErrorBody),
        (status = 504, description = "Baidu did not answer in time, could not be reached, or failed \
            (5xx)", body = facegate_types::ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn setexempt(
    State(state): State<AppState>,
    _merchant: Merchant,
    AppJson(body): AppJson<ProgramToken>,
) -> AppResult<Json<ExemptionView>> {
    let token = body.parse()?;
    // A repeat is VendorError::Conflict with Baidu's 不可重复开通: a 409 through AppError.
    let exemption = state
        .vendor_extras
        .smartapp
        .set_exempt(&token)
        .await
        .map_err(smartapp_error)?;
    Ok(Json(exemption.into()))
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

    #[test]
    fn stat_keeps_named_and_unnamed_interfaces_with_calls() {
        let stat: StatResult = serde_json::from_value(serde_json::json!({
            "Verify_FIN": [{"error_code": 0, "count": 1}],
            "VideoLiveness": [{"error_code": "0", "count": "3"}],
            "OCR": [],
            "NewThing": [{"error_code": 222351, "count": 2}],
            "note": "not an interface",
        }))
        .unwrap();
        let view = serde_json::to_value(StatView::from(stat)).unwrap();
        assert_eq!(
            view,
            serde_json::json!({"interfaces": {
                "Verify_FIN": [{"error_code": "0", "count": 1}],
                "VideoLiveness": [{"error_code": "0", "count": 3}],
                "NewThing": [{"error_code": "222351", "count": 2}],
            }})
        );
    }

    #[test]
    fn faceauthen_names_the_status_and_dates_the_timeout() {
        let answer = FaceAuthen {
            qrcode: "data:image/png;base64,iVBO".into(),
            timeout: 1558150057,
            legal_face_status: LegalFaceStatus::InProgress,
        };
        let view = serde_json::to_value(FaceAuthenView::from(answer)).unwrap();
        assert_eq!(view["legal_face_status"], "in_progress");
        assert_eq!(view["expires_at"], "2019-05-18T03:27:37Z");
        assert_eq!(view["qrcode"], "data:image/png;base64,iVBO");
    }

    #[test]
    fn a_missing_or_blank_access_token_names_the_field() {
        for body in [r#"{}"#, r#"{"access_token": "  "}"#] {
            let token: ProgramToken = serde_json::from_str(body).unwrap();
            let Err(AppError::InvalidRequest { field, .. }) = token.parse() else {
                panic!("accepted {body}");
            };
            assert_eq!(field.as_deref(), Some("access_token"));
        }
        let rejected = smartapp_error(VendorError::Unauthorized {
            code: "110".into(),
            message: "Access token invalid or no longer valid".into(),
        });
        assert!(
            matches!(&rejected, AppError::InvalidRequest { field: Some(f), .. } if f == "access_token")
        );
    }
}
