//! What needs a browser: gathering the device facts, timers, sessionStorage, and the calls to
//! facegate's client endpoints (the session's client_secret only, never a vendor secret).

use facegate_types::{ApiError, ErrorCode, Locale, VerificationStatus, VERIFICATION_OBJECT};
use gloo_net::http::{Request, Response};
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Window};

use crate::convert::get;
use crate::device::{CameraFacts, DeviceFacts, Permission};
use crate::error::HelperError;
use crate::messages::decimal;
use crate::poll::PollOptions;
use crate::urls::encode_component;

/// `getMetaInfo()` of Alibaba's page script, read from the global object (a browser's window):
/// its string as it is, or its object as JSON; `missing_script` when the script is not loaded.
pub fn aliyun_meta_info() -> Result<String, HelperError> {
    let global = js_sys::global();
    let Some(result) = call(&global, "getMetaInfo", &[]) else {
        return Err(HelperError::MissingScript(crate::aliyun::META_INFO_SCRIPT));
    };
    let value = result.map_err(|error| {
        let message = String::from(js_sys::Error::from(error).message());
        HelperError::UnexpectedResponse(["getMetaInfo() threw: ", &message].concat())
    })?;
    let text = match value.as_string() {
        Some(text) => text,
        None if value.is_object() => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default(),
        None => String::new(),
    };
    crate::aliyun::meta_info_text(&JsValue::from(text))
}

/// The first of the browser's languages (`navigator.languages`, else `navigator.language`)
/// the helper speaks, else zh-CN; zh-CN where there is no window (Node, a worker, a
/// mini-program).
pub fn preferred_locale() -> Locale {
    let Some(window) = web_sys::window() else {
        return Locale::default();
    };
    let navigator: JsValue = window.navigator().into();
    let mut tags: Vec<String> = get(&navigator, "languages")
        .dyn_into::<Array>()
        .map(|list| list.iter().filter_map(|tag| tag.as_string()).collect())
        .unwrap_or_default();
    tags.extend(get(&navigator, "language").as_string());
    Locale::first_of(tags.iter().map(String::as_str))
}

pub fn window(what: &'static str) -> Result<Window, HelperError> {
    web_sys::window().ok_or(HelperError::NoBrowser(what))
}

/// Calls `target[method](...args)` when it is a function.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<Result<JsValue, JsValue>> {
    let function = get(target, method).dyn_into::<Function>().ok()?;
    let args: Array = args.iter().collect();
    Some(function.apply(target, &args))
}

async fn call_async(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let promise = call(target, method, args)?
        .ok()?
        .dyn_into::<Promise>()
        .ok()?;
    JsFuture::from(promise).await.ok()
}

/// Observes the browser. Never throws: what cannot be observed is reported as unknown.
pub async fn device_facts(window: &Window) -> DeviceFacts {
    let navigator: JsValue = window.navigator().into();
    let media = get(&navigator, "mediaDevices");
    let media_devices = media.is_object();
    let get_user_media = media_devices && get(&media, "getUserMedia").is_function();
    let cameras = if media_devices {
        call_async(&media, "enumerateDevices", &[])
            .await
            .map(|list| cameras(&list))
    } else {
        None
    };
    DeviceFacts {
        user_agent: get(&navigator, "userAgent").as_string().unwrap_or_default(),
        secure_context: window.is_secure_context(),
        media_devices,
        get_user_media,
        cameras,
        camera_permission: camera_permission(&navigator).await,
        wx_environment: get(window, "__wxjs_environment").as_string(),
        // A web page cannot read the mini-program's base library; the page that knows it
        // (from the mini-program, e.g. in its URL) sets `sdkVersion` before `analyzeDevice`.
        sdk_version: None,
    }
}

fn cameras(list: &JsValue) -> Vec<CameraFacts> {
    let Ok(list) = list.clone().dyn_into::<Array>() else {
        return Vec::new();
    };
    list.iter()
        .filter(|device| get(device, "kind").as_string().as_deref() == Some("videoinput"))
        .map(|device| {
            let facing_modes = call(&device, "getCapabilities", &[])
                .and_then(Result::ok)
                .map(|capabilities| get(&capabilities, "facingMode"))
                .and_then(|modes| modes.dyn_into::<Array>().ok())
                .map(|modes| modes.iter().filter_map(|m| m.as_string()).collect())
                .unwrap_or_default();
            CameraFacts {
                label: get(&device, "label").as_string().unwrap_or_default(),
                facing_modes,
            }
        })
        .collect()
}

async fn camera_permission(navigator: &JsValue) -> Permission {
    let permissions = get(navigator, "permissions");
    if !permissions.is_object() {
        return Permission::Unknown;
    }
    let descriptor = Object::new();
    if Reflect::set(&descriptor, &"name".into(), &"camera".into()).is_err() {
        return Permission::Unknown;
    }
    // Browsers without a "camera" permission name reject the query.
    let Some(status) = call_async(&permissions, "query", &[descriptor.into()]).await else {
        return Permission::Unknown;
    };
    match get(&status, "state").as_string().as_deref() {
        Some("granted") => Permission::Granted,
        Some("denied") => Permission::Denied,
        Some("prompt") => Permission::Prompt,
        _ => Permission::Unknown,
    }
}

/// Waits `ms`, or less when `signal` aborts first.
pub async fn sleep(window: &Window, ms: u32, signal: Option<&AbortSignal>) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let timeout = i32::try_from(ms).unwrap_or(i32::MAX);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout);
        if let Some(signal) = signal {
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}

const SECRET_KEY_PREFIX: &str = "facegate:client_secret:";

/// Keeps a session's client secret for this tab, so the landing page can confirm the result.
pub fn remember_client_secret(window: &Window, id: &str, secret: &str) {
    if let Ok(Some(storage)) = window.session_storage() {
        let _ = storage.set_item(&[SECRET_KEY_PREFIX, id].concat(), secret);
    }
}

pub fn remembered_client_secret(window: &Window, id: &str) -> Option<String> {
    let storage = window.session_storage().ok()??;
    storage.get_item(&[SECRET_KEY_PREFIX, id].concat()).ok()?
}

/// A session as the server sent it: the browser-parsed JSON, handed to JavaScript unchanged,
/// and its status, checked.
pub struct Session {
    pub json: JsValue,
    pub status: VerificationStatus,
}

impl Session {
    fn read(json: JsValue) -> Result<Self, HelperError> {
        if get(&json, "object").as_string().as_deref() != Some(VERIFICATION_OBJECT) {
            return Err(HelperError::UnexpectedResponse(
                "not a verification object".into(),
            ));
        }
        let status = get(&json, "status")
            .as_string()
            .and_then(|status| status.parse::<VerificationStatus>().ok())
            .ok_or_else(|| HelperError::UnexpectedResponse("no known status".into()))?;
        Ok(Self { json, status })
    }
}

/// Talks to one facegate server's `/v1/client/*` endpoints.
#[derive(Clone, Debug)]
pub struct Backend {
    /// Empty for the page's own origin.
    pub base_url: String,
    /// The merchant's choice, sent as `Accept-Language` (the browser's own header otherwise).
    pub locale: Option<Locale>,
}

impl Backend {
    /// The request `gloo_net` sends: the merchant's `Accept-Language`, and a JSON body where
    /// there is one. Built on web-sys's `RequestInit` rather than gloo's `RequestBuilder`, whose
    /// query-string merging and `http::Method` formatting the helper never needs: 1.4 KB of the
    /// .wasm's gzip (README "Size"). A URL the browser refuses (a `baseUrl` it cannot parse) is a
    /// `network_error` whose detail names `baseUrl`, not the browser's words: Chromium's repeat
    /// the URL, client secret included.
    fn request(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<Request, HelperError> {
        let refused = |_| {
            HelperError::Network("the browser refused the request: is baseUrl a valid URL?".into())
        };
        let headers = web_sys::Headers::new().map_err(refused)?;
        if let Some(locale) = self.locale {
            headers
                .set("accept-language", locale.tag())
                .map_err(refused)?;
        }
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        if let Some(body) = body {
            headers
                .set("content-type", "application/json")
                .map_err(refused)?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        init.set_signal(signal);
        web_sys::Request::new_with_str_and_init(url, &init)
            .map(Request::from)
            .map_err(refused)
    }

    fn session_url(&self, id: &str) -> String {
        [
            self.base_url.trim_end_matches('/'),
            "/v1/client/verifications/",
            &encode_component(id),
        ]
        .concat()
    }

    pub async fn retrieve(
        &self,
        id: &str,
        client_secret: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<Session, HelperError> {
        let url = [
            &self.session_url(id),
            "?client_secret=",
            &encode_component(client_secret),
        ]
        .concat();
        let request = self.request("GET", &url, None, signal)?;
        read(request.send().await, signal).await
    }

    pub async fn submit_wechat_result(
        &self,
        id: &str,
        client_secret: &str,
        verify_result: &str,
    ) -> Result<Session, HelperError> {
        let body = Object::new();
        let _ = Reflect::set(&body, &"client_secret".into(), &client_secret.into());
        let _ = Reflect::set(&body, &"verify_result".into(), &verify_result.into());
        let body = js_sys::JSON::stringify(&body)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or_else(|| {
                HelperError::UnexpectedResponse("the request could not be encoded".into())
            })?;
        let request = self.request(
            "POST",
            &[&self.session_url(id), "/wechat_result"].concat(),
            Some(&body),
            None,
        )?;
        read(request.send().await, None).await
    }

    /// Reads until the status is final, waiting per `options` between reads.
    pub async fn wait_for_result(
        &self,
        window: &Window,
        id: &str,
        client_secret: &str,
        options: &PollOptions,
        signal: Option<&AbortSignal>,
    ) -> Result<Session, HelperError> {
        let mut delays = options.delays();
        loop {
            let session = self.retrieve(id, client_secret, signal).await?;
            if session.status.is_final() {
                return Ok(session);
            }
            let Some(delay) = delays.next() else {
                return Err(HelperError::Timeout(options.timeout_ms));
            };
            sleep(window, delay, signal).await;
            if signal.is_some_and(AbortSignal::aborted) {
                return Err(HelperError::Aborted);
            }
        }
    }
}

fn network(error: gloo_net::Error) -> HelperError {
    HelperError::Network(match error {
        gloo_net::Error::JsError(error) => error.message,
        gloo_net::Error::GlooError(message) => message,
    })
}

/// The body, parsed by the browser's JSON parser (none is compiled into the .wasm).
async fn json(response: &web_sys::Response) -> Result<JsValue, HelperError> {
    let promise = response
        .json()
        .map_err(|_| HelperError::UnexpectedResponse("the body was already read".into()))?;
    JsFuture::from(promise).await.map_err(|_| {
        let status = decimal(response.status().into());
        HelperError::UnexpectedResponse(
            ["HTTP ", &status, " with a body that is not JSON"].concat(),
        )
    })
}

/// facegate's `{"error": {"code", "message", "field"}}`.
fn api_error(body: &JsValue) -> Option<ApiError> {
    let error = get(body, "error");
    Some(ApiError::new(
        get(&error, "code").as_string()?.parse::<ErrorCode>().ok()?,
        get(&error, "message").as_string()?,
        get(&error, "field").as_string(),
    ))
}

async fn read(
    sent: Result<Response, gloo_net::Error>,
    signal: Option<&AbortSignal>,
) -> Result<Session, HelperError> {
    let response: web_sys::Response = match sent {
        Ok(response) => response.into(),
        Err(_) if signal.is_some_and(AbortSignal::aborted) => return Err(HelperError::Aborted),
        Err(error) => return Err(network(error)),
    };
    if response.ok() {
        return Session::read(json(&response).await?);
    }
    let body = json(&response).await.ok();
    match body.as_ref().and_then(api_error) {
        Some(error) => Err(HelperError::Api(error)),
        None => Err(HelperError::UnexpectedResponse(
            [
                "HTTP ",
                &decimal(response.status().into()),
                " without facegate's error body",
            ]
            .concat(),
        )),
    }
}
