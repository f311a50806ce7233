//! `/v1/baidu_smartapp`: Baidu smart-program's legal-person face check for the merchant
//! (faceauthen, setexempt; seed 000), answered with the views in `view/baidu_smartapp.rs`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use facegate_vendors::VendorError;
use secrecy::SecretString;
use serde::Deserialize;

use super::{AppJson, Merchant};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::view::baidu_smartapp::{ExemptionView, FaceAuthenView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/baidu_smartapp/faceauthen", post(faceauthen))
        .route("/v1/baidu_smartapp/setexempt", post(setexempt))
}

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
