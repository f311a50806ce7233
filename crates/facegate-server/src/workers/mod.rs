//! Background work, started in one place and stopped by one cancellation token.

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;

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

pub fn spawn(state: AppState, shutdown: CancellationToken) -> Workers {
    let mut tasks = JoinSet::new();
    tasks.spawn(reconciler::run(state.clone(), shutdown.clone()));
    tasks.spawn(retention::run(state.clone(), shutdown.clone()));
    tasks.spawn(webhooks::run(state, shutdown));
    Workers { tasks }
}
