//! What the merchant sees of Baidu H5's queries after a session's flow (result/simple,
//! detail, stat, media/query, getall; seed 001), served by
//! `GET /v1/verifications/{id}/baidu_h5/{query}` (`api/verifications/vendor_queries.rs`).
//!
//! Each view follows Baidu's documents: its field names (snake case where Baidu mixes cases),
//! image and media URLs passed through as given. Nothing here logs a value.

use std::collections::BTreeMap;

use facegate_vendors::baidu_h5::{
    DetailOutcome, DetailResult, GetAllResult, IdCardConfirm, IdCardImages, IdCardOcr, MediaResult,
    SimpleResult, StatEntry, StatResult, VerifyAttempt, VerifyDetail,
};
use facegate_vendors::wire::Pii;
use facegate_vendors::VendorError;
use serde::Serialize;

/// `result/simple`: where the final face image is (a URL carrying the verify_token).
#[derive(Serialize)]
pub struct SimpleView {
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
pub struct DetailView {
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
pub struct ScoresView {
    score: Option<f64>,
    liveness_score: Option<f64>,
    spoofing: Option<f64>,
    is_demote: Option<bool>,
}

impl DetailView {
    pub fn from_outcome(outcome: DetailOutcome) -> Result<Self, VendorError> {
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
pub struct OcrView {
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
pub struct IdCardImagesView {
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
pub struct ConfirmView {
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
pub struct StatView {
    interfaces: BTreeMap<String, Vec<StatEntryView>>,
}

#[derive(Serialize)]
pub struct StatEntryView {
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
pub struct MediaView {
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
pub struct GetAllView {
    verify_count: Option<i64>,
    ocr_charge_count: Option<i64>,
    match_charge_count: Option<i64>,
    verify_charge_count: Option<i64>,
    verify_result: Vec<AttemptView>,
}

#[derive(Serialize)]
pub struct AttemptView {
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
pub struct VerifyDetailView {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
