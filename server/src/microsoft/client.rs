//! The Graph HTTP client: application tokens from the identity platform (client credentials,
//! cached until shortly before they expire), retries that honour `Retry-After` on 429/503/504
//! and otherwise back off exponentially with jitter, at most four requests at a time per
//! mailbox, `@odata.nextLink` paging (on Graph's own address only), and `$batch` with per-item retry.
//! Longer than 400 lines because token cache, retry policy, paging and batching share one
//! request loop and its statistics; split, each part would reach into the others' state.

use super::models::{BatchRequest, BatchRequestItem, BatchResponse, BatchResponseItem, Collection, ErrorBody, TokenResponse};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

pub use crate::config::GraphConfig;

/// What went wrong, in terms a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("Microsoft refused the credentials: {0}")]
    Auth(String),
    #[error("Microsoft answered {status} ({code}): {message}")]
    Http { status: u16, code: String, message: String },
    #[error("Microsoft kept throttling after {attempts} attempts")]
    Throttled { attempts: u32 },
    #[error("could not reach Microsoft: {0}")]
    Transport(String),
    #[error("Microsoft sent a response Atrium could not read: {0}")]
    Decode(String),
    /// A link (such as `@odata.nextLink`) that leads outside the configured Graph address; it
    /// is not followed, so the token never goes there.
    #[error("Microsoft's answer pointed outside Graph ({0}); Atrium did not follow it")]
    Untrusted(String),
}

impl GraphError {
    /// Worth trying again later (the outbox will).
    pub fn is_transient(&self) -> bool {
        match self {
            GraphError::Throttled { .. } | GraphError::Transport(_) => true,
            GraphError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// How hard to retry.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// First back-off without `Retry-After`; doubles each time.
    pub base_delay: Duration,
    /// No single wait is longer than this.
    pub max_delay: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: the server's `Retry-After` if it gave one, else
    /// exponential back-off with up to 50% jitter.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempt.min(16));
        let jitter = exp.mul_f64(rand::random::<f64>() * 0.5);
        (exp + jitter).min(self.max_delay)
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Counters for the operator and the benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub token_requests: AtomicU64,
}

#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    config: Arc<GraphConfig>,
    policy: RetryPolicy,
    app_token: Arc<tokio::sync::Mutex<Option<(String, Instant)>>>,
    mailboxes: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// Per mailbox, no request before this instant: the last `Retry-After` Graph gave, kept
    /// across calls so a job retried later still waits it out.
    throttled: Arc<Mutex<HashMap<String, Instant>>>,
    pub stats: Arc<Stats>,
}

/// At most this many requests in flight per mailbox, as Graph's limits advise.
pub const PER_MAILBOX: usize = 4;

impl GraphClient {
    pub fn new(config: GraphConfig, policy: RetryPolicy) -> Self {
        let http = reqwest::Client::builder()
            .timeout(policy.timeout)
            .build()
            .expect("HTTP client builds");
        Self {
            http,
            config: Arc::new(config),
            policy,
            app_token: Arc::new(tokio::sync::Mutex::new(None)),
            mailboxes: Arc::new(Mutex::new(HashMap::new())),
            throttled: Arc::new(Mutex::new(HashMap::new())),
            stats: Arc::new(Stats::default()),
        }
    }

    /// An application token (client credentials), reused until a minute before it expires.
    pub async fn app_token(&self) -> Result<String, GraphError> {
        let mut cached = self.app_token.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let url = format!("{}/{}/oauth2/v2.0/token", self.config.login_base, self.config.tenant_id);
        let scope = format!("{}/.default", self.config.graph_base);
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("scope", scope.as_str()),
            ("client_secret", self.config.client_secret.expose()),
            ("grant_type", "client_credentials"),
        ];
        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| GraphError::Decode(e.without_url().to_string()))?;
        if !status.is_success() {
            let description = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("no details");
            return Err(GraphError::Auth(description.lines().next().unwrap_or("").to_string()));
        }
        let token: TokenResponse = serde_json::from_value(body).map_err(|e| GraphError::Decode(e.to_string()))?;
        if token.access_token.is_empty() {
            return Err(GraphError::Decode("the token response had no access_token".into()));
        }
        let lifetime = Duration::from_secs(token.expires_in_seconds().max(120) as u64 - 60);
        *cached = Some((token.access_token.clone(), Instant::now() + lifetime));
        Ok(token.access_token)
    }

    fn mailbox(&self, mailbox: &str) -> Arc<Semaphore> {
        self.mailboxes
            .lock()
            .expect("mailbox map")
            .entry(mailbox.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(PER_MAILBOX)))
            .clone()
    }

    /// Remembers that Graph asked this mailbox to wait `wait`.
    fn hold(&self, mailbox: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut map = self.throttled.lock().expect("throttle map");
        let entry = map.entry(mailbox.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Waits until Graph's last `Retry-After` for this mailbox has passed.
    async fn wait_turn(&self, mailbox: &str) {
        let until = self.throttled.lock().expect("throttle map").get(mailbox).copied();
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                tokio::time::sleep(until - now).await;
            }
        }
    }

    /// Where a request goes: a path under Graph's base, or an absolute link Graph gave (a next
    /// page), which must stay on Graph's own address (see [`on_graph`]).
    fn url(&self, path: &str) -> Result<String, GraphError> {
        if path.starts_with("https://") || path.starts_with("http://") {
            if on_graph(&self.config.graph_base, path) {
                Ok(path.to_string())
            } else {
                let shown = reqwest::Url::parse(path)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| "an unreadable address".into());
                Err(GraphError::Untrusted(shown))
            }
        } else {
            Ok(format!("{}/v1.0{}", self.config.graph_base, path))
        }
    }

    /// Sends one request with the application token, retrying transient failures. `mailbox`
    /// (the user the request acts for) limits concurrency. Returns the status and JSON body
    /// (`Null` when there is none).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mailbox: &str,
    ) -> Result<(StatusCode, Value), GraphError> {
        self.send(method, path, body, mailbox, None).await
    }

    /// The same with a delegated token (calls that application permissions cannot make).
    pub async fn request_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mailbox: &str,
    ) -> Result<(StatusCode, Value), GraphError> {
        self.send(method, path, body, mailbox, Some(token)).await
    }

    /// [`request_as`](Self::request_as) for a request that must not be sent twice (one that
    /// makes something, with no key Graph could recognise it by): an answer that breaks off is
    /// an error, not tried again, since Graph may have done the work; the caller looks before
    /// trying again. Throttling and unavailability (the request was not taken) are still retried.
    pub async fn create_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mailbox: &str,
    ) -> Result<(StatusCode, Value), GraphError> {
        self.send_with(method, path, body, mailbox, Some(token), true).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mailbox: &str,
        delegated: Option<&str>,
    ) -> Result<(StatusCode, Value), GraphError> {
        self.send_with(method, path, body, mailbox, delegated, false).await
    }

    async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mailbox: &str,
        delegated: Option<&str>,
        once: bool,
    ) -> Result<(StatusCode, Value), GraphError> {
        let url = self.url(path)?;
        let _slot = self.mailbox(mailbox).acquire_owned().await.expect("semaphore stays open");
        let mut attempt = 0;
        loop {
            let token = match delegated {
                Some(t) => t.to_string(),
                None => self.app_token().await?,
            };
            self.wait_turn(mailbox).await;
            let mut req = self.http.request(method.clone(), &url).bearer_auth(&token);
            if let Some(b) = body {
                req = req.json(b);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = req.send().await;
            let (status, wait, text) = match outcome {
                Ok(r) => {
                    let status = r.status();
                    let wait = retry_after(r.headers());
                    match r.text().await {
                        Ok(text) => (Some(status), wait, text),
                        // The answer broke off (connection dropped, or too slow): try again.
                        Err(e) => (None, None, format!("the answer from Microsoft broke off: {}", e.without_url())),
                    }
                }
                Err(e) if e.is_timeout() || e.is_connect() || e.is_request() => (None, None, e.without_url().to_string()),
                Err(e) => return Err(GraphError::Transport(e.without_url().to_string())),
            };
            let transient = match status {
                None => true,
                Some(s) => matches!(s.as_u16(), 429 | 503 | 504),
            };
            if once && status.is_none() {
                return Err(GraphError::Transport(text));
            }
            if transient {
                if let Some(wait) = wait {
                    self.hold(mailbox, wait);
                }
                attempt += 1;
                if attempt >= self.policy.max_attempts {
                    return Err(match status {
                        Some(s) if s.as_u16() == 429 => GraphError::Throttled { attempts: attempt },
                        Some(s) => http_error(s, &text),
                        None => GraphError::Transport(text),
                    });
                }
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                let delay = self.policy.delay(attempt - 1, wait);
                tracing::debug!(%url, attempt, ?delay, "Graph asked us to wait; retrying");
                tokio::time::sleep(delay).await;
                continue;
            }
            let status = status.expect("transport failures were handled above");
            if status == StatusCode::UNAUTHORIZED && attempt == 0 && delegated.is_none() {
                // A token revoked early: drop it and try once more with a fresh one.
                *self.app_token.lock().await = None;
                attempt += 1;
                continue;
            }
            if !status.is_success() {
                return Err(http_error(status, &text));
            }
            let value = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).map_err(|e| GraphError::Decode(e.to_string()))?
            };
            return Ok((status, value));
        }
    }

    /// Every item of a collection, following `@odata.nextLink` verbatim until it ends.
    pub async fn get_all<T: DeserializeOwned>(&self, path: &str, mailbox: &str) -> Result<Vec<T>, GraphError> {
        self.collect(path, mailbox, None).await
    }

    /// The same with a delegated token.
    pub async fn get_all_as<T: DeserializeOwned>(&self, token: &str, path: &str, mailbox: &str) -> Result<Vec<T>, GraphError> {
        self.collect(path, mailbox, Some(token)).await
    }

    /// Every item of a collection, with a delegated `token` or else the application's. Next
    /// links are followed only on Graph's own address; any other is an error.
    pub async fn collect<T: DeserializeOwned>(&self, path: &str, mailbox: &str, token: Option<&str>) -> Result<Vec<T>, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 10_000 {
                return Err(GraphError::Decode("paging did not end".into()));
            }
            let (_, body) = self.send(Method::GET, &url, None, mailbox, token).await?;
            let page: Collection<T> = serde_json::from_value(body).map_err(|e| GraphError::Decode(e.to_string()))?;
            items.extend(page.value);
            next = page.next_link;
        }
        Ok(items)
    }

    /// Runs up to 20 requests per `$batch`; items that come back throttled (or 503/504) are sent
    /// again on their own after their `Retry-After`. Answers are returned in request order.
    pub async fn batch(&self, requests: Vec<BatchRequestItem>, mailbox: &str) -> Result<Vec<BatchResponseItem>, GraphError> {
        let mut results: HashMap<String, BatchResponseItem> = HashMap::new();
        let order: Vec<String> = requests.iter().map(|r| r.id.clone()).collect();
        for chunk in requests.chunks(20) {
            let mut pending: Vec<BatchRequestItem> = chunk.to_vec();
            let mut round = 0;
            while !pending.is_empty() {
                let body = serde_json::to_value(BatchRequest { requests: pending.clone() }).expect("batch serialises");
                let (_, answer) = self.request(Method::POST, "/$batch", Some(&body), mailbox).await?;
                let answer: BatchResponse = serde_json::from_value(answer).map_err(|e| GraphError::Decode(e.to_string()))?;
                let mut retry = Vec::new();
                let mut wait = None;
                for item in answer.responses {
                    if matches!(item.status, 429 | 503 | 504) && round + 1 < self.policy.max_attempts {
                        let after = item
                            .headers
                            .as_ref()
                            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after")))
                            .and_then(|(_, v)| v.as_str().map(str::to_string).or_else(|| v.as_u64().map(|n| n.to_string())))
                            .and_then(|v| v.parse::<u64>().ok())
                            .map(Duration::from_secs);
                        wait = wait.max(after);
                        if let Some(req) = pending.iter().find(|r| r.id.eq_ignore_ascii_case(&item.id)) {
                            retry.push(req.clone());
                        }
                    } else {
                        results.insert(item.id.clone(), item);
                    }
                }
                if !retry.is_empty() {
                    if let Some(wait) = wait {
                        self.hold(mailbox, wait);
                    }
                    self.stats.retries.fetch_add(retry.len() as u64, Ordering::Relaxed);
                    tokio::time::sleep(self.policy.delay(round, wait)).await;
                }
                pending = retry;
                round += 1;
            }
        }
        order
            .iter()
            .map(|id| {
                results
                    .remove(id)
                    .ok_or_else(|| GraphError::Decode(format!("the batch had no answer for request {id}")))
            })
            .collect()
    }
}

/// Whether `link` is on Graph's configured address `base`: the same scheme, host and port, no
/// user name or password, and a path under the base's own path.
pub fn on_graph(base: &str, link: &str) -> bool {
    let (Ok(base), Ok(link)) = (reqwest::Url::parse(base), reqwest::Url::parse(link)) else {
        return false;
    };
    let base_path = base.path().trim_end_matches('/');
    link.scheme() == base.scheme()
        && link.host_str().is_some()
        && link.host_str() == base.host_str()
        && link.port_or_known_default() == base.port_or_known_default()
        && link.username().is_empty()
        && link.password().is_none()
        && link.path().starts_with(&format!("{base_path}/"))
}

fn http_error(status: StatusCode, text: &str) -> GraphError {
    let parsed: Option<ErrorBody> = serde_json::from_str(text).ok();
    let (code, message) = match parsed {
        Some(b) => (
            b.error.codes().into_iter().rev().find(|c| !c.is_empty()).unwrap_or("").to_string(),
            b.error.message,
        ),
        None => (String::new(), text.chars().take(200).collect()),
    };
    let message = match (status.as_u16(), code.as_str()) {
        (403, _) => format!("{message} — check that the app has admin consent for the permission this needs, and for meetings and webinars that an application access policy covers the organizer."),
        (404, _) => format!("{message} — the item may have been deleted in Teams."),
        _ => message,
    };
    GraphError::Http {
        status: status.as_u16(),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_honour_retry_after_and_grow_without_it() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            ..Default::default()
        };
        assert_eq!(p.delay(3, Some(Duration::from_secs(2))), Duration::from_secs(2));
        assert_eq!(p.delay(0, Some(Duration::from_secs(600))), Duration::from_secs(5), "capped");
        for attempt in 0..4 {
            let d = p.delay(attempt, None);
            let base = Duration::from_millis(100 * (1 << attempt));
            assert!(d >= base && d <= base.mul_f64(1.5), "{attempt}: {d:?}");
        }
        assert_eq!(p.delay(30, None), Duration::from_secs(5));
    }

    #[test]
    fn only_links_on_graphs_own_address_are_followed() {
        let base = "https://graph.microsoft.com";
        assert!(on_graph(base, "https://graph.microsoft.com/v1.0/x?$skiptoken=2"));
        assert!(on_graph(base, "https://GRAPH.microsoft.com:443/v1.0/x"));
        for foreign in [
            "http://graph.microsoft.com/v1.0/x",
            "https://graph.microsoft.com:8443/v1.0/x",
            "https://graph.microsoft.com.evil.example/v1.0/x",
            "https://graph.microsoft.com@evil.example/v1.0/x",
            "https://user:pw@graph.microsoft.com/v1.0/x",
            "https://evil.example/v1.0/x",
            "//evil.example/v1.0/x",
            "not a url",
        ] {
            assert!(!on_graph(base, foreign), "{foreign}");
        }
        let proxied = "http://127.0.0.1:8080/graph";
        assert!(on_graph(proxied, "http://127.0.0.1:8080/graph/v1.0/x"));
        assert!(!on_graph(proxied, "http://127.0.0.1:8080/other/v1.0/x"));
        assert!(!on_graph(proxied, "http://127.0.0.1:8080/graph/../other/v1.0/x"));
        assert!(!on_graph(proxied, "http://127.0.0.1:8080/graphx/v1.0/x"));
    }
}
