//! What the sandbox was asked, counted: access-token grants per vendor and result queries per
//! session. Tests and the bench read them (`GET /_counters`) to prove that replicas share one
//! token and do not ask a vendor twice about the same session.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The grant kinds counted.
pub mod grants {
    /// Baidu AIP `POST /oauth/2.0/token`.
    pub const BAIDU_OAUTH: &str = "baidu_oauth";
    /// WeChat `POST /cgi-bin/stable_token`.
    pub const WECHAT_STABLE_TOKEN: &str = "wechat_stable_token";
    /// WeChat `GET /cgi-bin/token`.
    pub const WECHAT_TOKEN: &str = "wechat_token";
}

/// Shared by every simulator of one sandbox.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    grants: Mutex<BTreeMap<&'static str, u64>>,
    result_queries: Mutex<HashMap<String, u64>>,
}

/// The counts at one moment, as `GET /_counters` answers them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Tokens issued, by grant kind ([`grants`]).
    pub token_grants: BTreeMap<String, u64>,
    /// Result queries in all.
    pub result_queries_total: u64,
    /// Result queries by the session's sandbox token (with `?sessions=true` only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub result_queries: BTreeMap<String, u64>,
}

impl Snapshot {
    /// Grants of one kind (0 when none).
    pub fn grants(&self, kind: &str) -> u64 {
        self.token_grants.get(kind).copied().unwrap_or(0)
    }
}

impl Counters {
    /// A vendor issued an access token (a cached answer to a repeated request counts too: the
    /// point is how often facegate asked).
    pub fn token_granted(&self, kind: &'static str) {
        *crate::lock(&self.inner.grants).entry(kind).or_default() += 1;
    }

    /// A client asked for the result of the session behind `token`.
    pub fn result_queried(&self, token: &str) {
        *crate::lock(&self.inner.result_queries)
            .entry(token.to_owned())
            .or_default() += 1;
    }

    pub fn snapshot(&self, with_sessions: bool) -> Snapshot {
        let token_grants = crate::lock(&self.inner.grants)
            .iter()
            .map(|(kind, count)| ((*kind).to_owned(), *count))
            .collect();
        let queries = crate::lock(&self.inner.result_queries);
        Snapshot {
            token_grants,
            result_queries_total: queries.values().sum(),
            result_queries: if with_sessions {
                queries.iter().map(|(k, v)| (k.clone(), *v)).collect()
            } else {
                BTreeMap::new()
            },
        }
    }
}

#[derive(Deserialize)]
struct SnapshotQuery {
    #[serde(default)]
    sessions: bool,
}

/// `GET /_counters[?sessions=true]`.
pub fn router(counters: Counters) -> Router {
    Router::new()
        .route("/_counters", get(read))
        .with_state(counters)
}

async fn read(
    State(counters): State<Counters>,
    Query(query): Query<SnapshotQuery>,
) -> Json<Snapshot> {
    Json(counters.snapshot(query.sessions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_kind_and_per_session() {
        let counters = Counters::default();
        counters.token_granted(grants::BAIDU_OAUTH);
        counters.clone().token_granted(grants::BAIDU_OAUTH);
        counters.result_queried("sbx_a");
        counters.result_queried("sbx_a");
        counters.result_queried("sbx_b");
        let snapshot = counters.snapshot(true);
        assert_eq!(snapshot.grants(grants::BAIDU_OAUTH), 2);
        assert_eq!(snapshot.grants(grants::WECHAT_STABLE_TOKEN), 0);
        assert_eq!(snapshot.result_queries_total, 3);
        assert_eq!(snapshot.result_queries["sbx_a"], 2);
        assert!(counters.snapshot(false).result_queries.is_empty());
    }
}
