//! What every vendor client test starts: the real simulator on a loopback port, a receiver for
//! the vendor's notifies or pushes ([`Inbox`]), and a "browser" that does not follow redirects.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use facegate_sandbox::{Clock, Running};
use url::Url;

/// What a vendor client test runs against: the simulator, its clock, a receiver for the
/// vendor's notifies or pushes, and a browser. Each test file adds its vendor's steps.
#[allow(dead_code)] // the Baidu tests receive no notifies
pub struct World {
    _running: Running,
    pub sandbox: Url,
    pub clock: Clock,
    pub notify_url: Url,
    pub notifies: Inbox,
    pub browser: reqwest::Client,
}

#[allow(dead_code)] // the Baidu tests receive no notifies
impl World {
    /// A sandbox, and a receiver that answers `answer` to every POST to `notify_path` (with
    /// its query).
    pub async fn spawn(notify_path: &str, answer: &'static str) -> Self {
        let running = sandbox().await;
        let (notifies, notify_url) = Inbox::serve(notify_path, answer).await;
        Self {
            sandbox: running.base.clone(),
            clock: running.clock.clone(),
            _running: running,
            notify_url,
            notifies,
            browser: browser(),
        }
    }

    /// The HTTP client a vendor client gets.
    pub fn http() -> reqwest::Client {
        facegate_vendors::http::client(Default::default()).unwrap()
    }
}

/// A sandbox on its own loopback port; it stops when the value is dropped.
pub async fn sandbox() -> Running {
    facegate_sandbox::spawn_on_loopback().await.unwrap()
}

/// What a vendor POSTed to a receiver.
#[allow(dead_code)] // each vendor's test reads what its notifies carry
pub struct Received {
    pub headers: axum::http::HeaderMap,
    pub query: String,
    pub body: Vec<u8>,
}

/// What a receiver of a vendor's notifies or pushes got, newest last.
#[derive(Clone, Default)]
pub struct Inbox(Arc<Mutex<Vec<Received>>>);

#[allow(dead_code)] // the Baidu tests receive no notifies
impl Inbox {
    /// Serves a receiver on a loopback port for the rest of the test, answering every POST to
    /// the path of `path_and_query` with `answer`; the URL of `path_and_query` on it.
    pub async fn serve(path_and_query: &str, answer: &'static str) -> (Self, Url) {
        let inbox = Self::default();
        let sink = inbox.clone();
        let path = path_and_query.split('?').next().unwrap_or_default();
        let router = axum::Router::new().route(
            path,
            axum::routing::post(
                move |headers: axum::http::HeaderMap,
                      uri: axum::http::Uri,
                      body: axum::body::Bytes| {
                    let sink = sink.clone();
                    async move {
                        let query = uri.query().unwrap_or("").to_owned();
                        let received = Received {
                            headers,
                            query,
                            body: body.to_vec(),
                        };
                        sink.0.lock().unwrap().push(received);
                        answer
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!(
            "http://{}{path_and_query}",
            listener.local_addr().unwrap()
        ))
        .unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (inbox, url)
    }

    /// The newest POST, waiting up to 2 s for one.
    pub async fn next(&self) -> Received {
        for _ in 0..200 {
            if let Some(received) = self.0.lock().unwrap().pop() {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("nothing arrived");
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().unwrap().is_empty()
    }
}

/// Sees each redirect as the vendor sent it.
#[allow(dead_code)] // not every vendor's test drives its pages
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
