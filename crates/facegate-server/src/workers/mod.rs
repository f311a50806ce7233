//! Background work, started in one place and stopped by one cancellation token.

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;

pub mod alerts;
pub mod reconciler;
pub mod retention;
pub mod webhooks;

/// The running workers.
pub struct Workers {
    tasks: JoinSet<()>,
}

impl Workers {
    /// Waits for every worker to finish its current step and stop.
    pub async fn wait(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The client the webhook and alert workers post to merchants with: 10 s per request, and no
/// redirects followed (a receiver's redirect is its failure, not a new address). `None`, logged
/// once as the `job`'s failure, when TLS cannot be set up.
fn outbound_client(job: &str) -> Option<reqwest::Client> {
    match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => Some(client),
        Err(error) => {
            tracing::error!(error = %error, job, "cannot build the HTTP client");
            None
        }
    }
}

pub fn spawn(state: AppState, shutdown: CancellationToken) -> Workers {
    let mut tasks = JoinSet::new();
    tasks.spawn(reconciler::run(state.clone(), shutdown.clone()));
    tasks.spawn(retention::run(state.clone(), shutdown.clone()));
    tasks.spawn(alerts::run(state.clone(), shutdown.clone()));
    tasks.spawn(webhooks::run(state, shutdown));
    Workers { tasks }
}
