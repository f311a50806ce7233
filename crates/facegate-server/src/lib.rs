//! facegate-server: one HTTP API over the face verification vendors. Sessions live in a real
//! database; every verdict is confirmed with the vendor server-side.

pub mod api;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod keys;
pub mod limits;
pub mod media;
pub mod pii;
pub mod providers;
pub mod redaction;
pub mod session;
pub mod store;
pub mod telemetry;
pub mod view;
pub mod workers;

pub use app::{AppState, Application};
pub use config::Settings;
