//! Baidu smart-program legal-person face authentication, simulated (seed 000,
//! `shared/seeds/000_e812d5b557580d1c.txt`), under [`PREFIX`]:
//!
//! - `GET {PREFIX}/rest/2.0/smartapp/auth/faceauthen?access_token=...` answers the seed's shape
//!   `{"errno": 0, "msg": "success", "data": {"qrcode", "timeout", "legal_face_status"}}`. A
//!   program's task starts at 1 (初始化) and its QR code lives [`QR_TTL`]; after that (or after a
//!   rejection) the next call starts a fresh task. The QR image is the seed's own example PNG;
//!   the page the "scan" leads to is given in the `x-facegate-sandbox-page` response header,
//!   so the body stays the vendor's.
//! - The page (`{PREFIX}/sandbox/legal_face/{task}`) lets the sandbox legal person pick 2 通过,
//!   4 拒绝 or 6 进行中. The real flow happens in the Baidu app, so there is no redirect and no
//!   notify: the program owner polls faceauthen.
//! - `GET {PREFIX}/rest/2.0/smartapp/auth/setexempt?access_token=...` answers the seed's
//!   camelCase example shape (`addTime`, `pushTime`, `overdueTime`: today, today, +60 days,
//!   written `2019-5-30` like the seed) once the program's legal person passed; a second call
//!   answers errno [`ERRNO_REPEAT`] with 不可重复开通, before a pass errno [`ERRNO_NOT_PASSED`].
//!   The seed gives these errors no numbers: the numbers are this sandbox's choice.
//!
//! Access tokens: [`ACCESS_TOKEN`], or `ACCESS_TOKEN` followed by `-` and any suffix, each a
//! different authorised program (so tests can have many programs). Others answer errno 110,
//! Baidu's general "Access token invalid or no longer valid".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::page::{self, Page};
use crate::SandboxConfig;

/// Where this simulator is mounted: a client's openapi base is `{sandbox}{PREFIX}`.
pub const PREFIX: &str = "/baidu/openapi";
/// The authorised program's access token the simulator accepts (also with a `-suffix`).
pub const ACCESS_TOKEN: &str = "sandbox-baidu-smartapp-access-token";
/// How long a QR code stays valid (the seed does not say; 10 minutes here).
pub const QR_TTL: Duration = Duration::from_secs(10 * 60);
/// errno of a repeated setexempt (the seed documents the message, not a number).
pub const ERRNO_REPEAT: i64 = 400;
/// errno of a setexempt before the legal person passed (the seed is silent; sandbox choice).
pub const ERRNO_NOT_PASSED: i64 = 401;
/// The header naming the page a scan of the QR code leads to.
pub const PAGE_HEADER: &str = "x-facegate-sandbox-page";

/// Programs untouched this long are forgotten (the exemption window is 60 days).
const RETENTION: Duration = Duration::from_secs(60 * 24 * 60 * 60);
const EXEMPT_DAYS: i64 = 60;

const QRCODE_PNG_BASE64: &str = concat!(
    "iVBORw0KGgoAAAANSUhEUgAAAf4AAAH+AQMAAABHof5mAAAABlBMVEUAAAD///+l2Z/dAAAAAnRSTlP//8i138cAAA",
    "AJcEhZcwAACxIAAAsSAdLdfvwAAAQOSURBVHic7ZrNreMwDIQJuACX5NZVUgoIwI01HJLJ7mGBMLfRwS+2qS+XefwZ",
    "xfzLZQIIMANYFsv9sf8ejk/X/Xrf3iG+Tu5Z55N7TgEEGAPgxfNG3cG8fQHuZ6/gF+9wuwC99+5nQAkgwBwgnyEugn",
    "F7SxlvF7fFbchbAAHGAQuXV8hWMdajcuwTKTc0LoAAvwJEcNTztqDsW8XXDhFAgJ8APJ8xqVbajELv0HM9g84FEGAQ",
    "QMEyqf7XJZYAAowB2soec9d4JNq3uScufQkgwBAAUk51YuTh8P32bEPdW/K9BBBgDrCf7UFnG5Jnifpo8q4XMQGFqA",
    "UQYAiwr1fzwqndcsWdg07zIh0NqQACTAFWHr7gkIYhMejcC50la3wpWwAB5gF9lIk4OpB9G51yHtcIIMAYwDjjNN/R",
    "S7Zv5R3fllPR5QIIMAWoHWg5rdvgqdjPM0OEtP5AAAG+BVDANcqUlAtKKTPvrlC2AAKMAY5mPlr7zcT+ZMbjwmov22",
    "GOAALMAaqz/LuyW6OkK86WcydWAQSYASyLhfss5QjJeg497+D7iziQCyDAGOCMpnJnUZ7AmAF1EdpeXC35CiDAFCAE",
    "XNrtmTWk/OjWOBaHJAEEGAKs3JYNZD/Mpj8UqdTquBDPBBBgCOC1w47Mot0p514LG+gNL4AAY4A0ddrcHctzIGcbsP",
    "c6/SEBBBgFcFtPqiFblHd6lv07ug0kgABfAxarOHvMe5U/fks55u50hWiXR6MpgABzgMqi6CJzArfyhyKuUm6XsgAC",
    "fA3wJtEcqnMM6un1be5BVyqAAIOA6DbN8mjwYHr1eEsb0jLHdikLIMDXAC+Ph2KlIdkT6AYZhh9QKGUBBBgBLLx9ti",
    "retIsJqNR+Rt+JDGynAAJMAbyFlNvDAm4fRZ2Sz2ABBBgEIG/ecUyWYfQgzjkBBd6f+R8ggABTgFRxUWoHzceOd1hD",
    "uAggwBTA6fbEtOPOVPqgA7mhCyc1LO+YgE4BBJgDlAOUSbWgOXJnB0rdHy6AAMOAmqdbAUcw5x4qe6PcP/oDAQT4Gv",
    "B+DBgUyrfmbggdcWZsAwQQYAwQQ41ZCZh782cV+aJ9Ci9IAAHGAKlTdpHoJ42HhEigix1AyBs7BBBgCrDfflTxRjHK",
    "NprPqvE5vQsgwASg1kbB96bR497yaZb33WgiTgABpgArpMm9qdjUc+sAWqI9aQMJIMAMAMU6ZRuWt4fv41XoHRR8Wn",
    "XyLYAAM4AMSVFvy/HyZ95aS6oRF1ABBPgJwFczJHlwHeQjR54dfPxTygIIMAAIa/Ld6Amncq+LHSiMS3cBBJgDsLxD",
    "yhYTOF4noFrOyLZR4wUQYApgsSKfPvhLCcvTm6uVd+O4HkIXQIAhwJdLAAFGAH8ACZnb8hxxvS4AAAAASUVORK5CYI",
    "I=",
);

#[derive(Clone, Debug)]
struct Task {
    id: String,
    status: u8,
    timeout: OffsetDateTime,
}

#[derive(Clone, Debug)]
struct Program {
    task: Option<Task>,
    exempted: bool,
    touched: OffsetDateTime,
}

struct Simulator {
    config: SandboxConfig,
    programs: Mutex<HashMap<String, Program>>,
}

type Shared = Arc<Simulator>;

impl Simulator {
    fn programs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Program>> {
        crate::lock(&self.programs)
    }
}

/// The simulator's routes, to be nested at [`PREFIX`].
pub fn router(config: &SandboxConfig) -> Router {
    let state = Arc::new(Simulator {
        config: config.clone(),
        programs: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/rest/2.0/smartapp/auth/faceauthen", get(faceauthen))
        .route("/rest/2.0/smartapp/auth/setexempt", get(setexempt))
        .route(
            "/sandbox/legal_face/{task}",
            get(show_page).post(submit_page),
        )
        .with_state(state)
}

#[derive(Deserialize)]
struct TokenQuery {
    access_token: Option<String>,
}

fn errno(code: i64, msg: &str) -> Response {
    Json(json!({"errno": code, "msg": msg})).into_response()
}

fn program_key(query: &TokenQuery) -> Result<String, Response> {
    match query.access_token.as_deref() {
        Some(token)
            if token == ACCESS_TOKEN
                || token
                    .strip_prefix(ACCESS_TOKEN)
                    .is_some_and(|rest| rest.starts_with('-') && rest.len() > 1) =>
        {
            Ok(token.to_owned())
        }
        _ => Err(errno(110, "Access token invalid or no longer valid")),
    }
}

async fn faceauthen(State(state): State<Shared>, Query(query): Query<TokenQuery>) -> Response {
    let key = match program_key(&query) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let now = state.config.clock.now();
    let task = {
        let mut programs = state.programs();
        programs.retain(|_, program| now - program.touched < RETENTION);
        let program = programs.entry(key).or_insert(Program {
            task: None,
            exempted: false,
            touched: now,
        });
        program.touched = now;
        let renew = match &program.task {
            None => true,
            Some(task) => task.status != 2 && now >= task.timeout,
        };
        if renew {
            program.task = Some(Task {
                id: Alphanumeric.sample_string(&mut rand::thread_rng(), 24),
                status: 1,
                timeout: now + QR_TTL,
            });
        }
        match &program.task {
            Some(task) => task.clone(),
            None => return errno(1, "internal error"),
        }
    };
    let page = state
        .config
        .public_url(&format!("{PREFIX}/sandbox/legal_face/{}", task.id));
    let mut response = Json(json!({
        "errno": 0,
        "msg": "success",
        "data": {
            "qrcode": format!("data:image/png;base64,{QRCODE_PNG_BASE64}"),
            "timeout": task.timeout.unix_timestamp().to_string(),
            "legal_face_status": task.status,
        }
    }))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(page.as_str()) {
        response.headers_mut().insert(PAGE_HEADER, value);
    }
    response
}

fn vendor_date(at: OffsetDateTime) -> String {
    format!("{}-{}-{}", at.year(), u8::from(at.month()), at.day())
}

async fn setexempt(State(state): State<Shared>, Query(query): Query<TokenQuery>) -> Response {
    let key = match program_key(&query) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let now = state.config.clock.now();
    let mut programs = state.programs();
    let Some(program) = programs.get_mut(&key) else {
        return errno(ERRNO_NOT_PASSED, "法人人脸识别未完成,无法开通豁免");
    };
    program.touched = now;
    if program.exempted {
        return errno(ERRNO_REPEAT, "不可重复开通");
    }
    if program.task.as_ref().is_none_or(|task| task.status != 2) {
        return errno(ERRNO_NOT_PASSED, "法人人脸识别未完成,无法开通豁免");
    }
    program.exempted = true;
    Json(json!({
        "errno": 0,
        "msg": "success",
        "data": {
            "addTime": vendor_date(now),
            "pushTime": vendor_date(now),
            "overdueTime": vendor_date(now + time::Duration::days(EXEMPT_DAYS)),
        }
    }))
    .into_response()
}

/// The page's choices: `legal_face_status` and the catalogue key of its label.
const OUTCOMES: [(&str, &str); 3] = [
    ("2", "smartapp-passed"),
    ("4", "smartapp-rejected"),
    ("6", "smartapp-in-progress"),
];

/// The task behind `id` if its QR code may still be scanned, or the page that says why not.
fn scannable(state: &Simulator, page: &Page, id: &str) -> Result<(), Response> {
    let now = state.config.clock.now();
    let programs = state.programs();
    let task = programs
        .values()
        .filter_map(|program| program.task.as_ref())
        .find(|task| task.id == id);
    match task {
        None => Err(page.gone(
            StatusCode::NOT_FOUND,
            "smartapp-unknown-title",
            "smartapp-unknown",
        )),
        Some(task) if matches!(task.status, 2 | 4) => Err(page.gone(
            StatusCode::GONE,
            "smartapp-decided-title",
            "smartapp-decided",
        )),
        Some(task) if now >= task.timeout => Err(page.gone(
            StatusCode::GONE,
            "smartapp-expired-title",
            "smartapp-expired",
        )),
        Some(_) => Ok(()),
    }
}

/// An outcome's label: its catalogue text, then the status faceauthen reports.
fn label(page: &Page, (code, key): (&str, &str)) -> String {
    page.coded(key, &format!("legal_face_status {code}"))
}

async fn show_page(State(state): State<Shared>, page: Page, Path(id): Path<String>) -> Response {
    if let Err(response) = scannable(&state, &page, &id) {
        return response;
    }
    let outcomes: Vec<(&str, String)> = OUTCOMES
        .iter()
        .map(|&outcome| (outcome.0, label(&page, outcome)))
        .collect();
    page.outcome_form("smartapp-title", ("smartapp-intro", &[]), &outcomes)
}

async fn submit_page(
    State(state): State<Shared>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<page::OutcomeChoice>,
) -> Response {
    let Some(&outcome) = form
        .outcome
        .as_deref()
        .and_then(|value| OUTCOMES.iter().find(|(code, _)| *code == value))
    else {
        return page.unknown_outcome();
    };
    let Ok(status) = outcome.0.parse::<u8>() else {
        return page.unknown_outcome();
    };
    if let Err(response) = scannable(&state, &page, &id) {
        return response;
    }
    {
        let mut programs = state.programs();
        if let Some(task) = programs
            .values_mut()
            .filter_map(|program| program.task.as_mut())
            .find(|task| task.id == id)
        {
            task.status = status;
        }
    }
    let title = page.text("smartapp-recorded-title");
    let body = format!(
        "<h1>{}</h1><p class=\"note\">{}</p>",
        page::escape(&title),
        page::escape(&page.with(
            "smartapp-recorded",
            &[("status", label(&page, outcome).into())]
        ))
    );
    page.render(StatusCode::OK, &title, &body)
}
