//! What every vendor client test starts: the real simulator on a loopback port, a receiver for
//! the vendor's notifies or pushes, and a "browser" that does not follow redirects.

use facegate_sandbox::Running;
use url::Url;

/// A sandbox on its own loopback port; it stops when the value is dropped.
pub async fn sandbox() -> Running {
    facegate_sandbox::spawn_on_loopback().await.unwrap()
}

#[allow(dead_code)] // the Baidu tests receive no notifies
/// Serves `router` on a loopback port for the rest of the test; the URL of `path` on it.
pub async fn serve(router: axum::Router, path: &str) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}{path}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Sees each redirect as the vendor sent it.
#[allow(dead_code)] // not every vendor's test drives its pages
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
