//! Fetching for a user: one GET to a checked, pinned address (see
//! [`super::target`]), redirects followed by hand and each checked again
//! (at most [`MAX_REDIRECTS`]), bounded in connect time, total time and
//! size, with the content type the caller expects. The request carries
//! numis's own user agent and nothing of the user's: no cookies, no
//! referrer, no address, no forwarded headers; proxies from the
//! environment are not used.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use tokio::time::{Instant, timeout_at};
use url::Url;

use super::target::{Refusal, TargetRules};

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 3;

/// What a fetch expects back.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// The largest body read.
    pub max_bytes: u64,
    /// Content types accepted, as prefixes (`image/`, `application/xml`);
    /// empty accepts any.
    pub content_types: &'static [&'static str],
}

/// A body fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where it came from, after redirects.
    pub url: Url,
    /// Its content type, as sent.
    pub content_type: String,
    /// The body.
    pub bytes: Vec<u8>,
}

/// Why nothing was fetched; every message can be shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The address is refused.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Too many redirects.
    #[error("the server redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    /// A redirect without a usable target.
    #[error("the server redirected to no usable address")]
    BadRedirect,
    /// Out of time.
    #[error("the server did not answer within {0} s")]
    Timeout(u64),
    /// An error status.
    #[error("the server answered with status {0}")]
    Status(u16),
    /// Another content type than expected.
    #[error("the server sent {0:?}, not what was asked for")]
    ContentType(String),
    /// Too large.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(u64),
    /// The connection failed.
    #[error("the server could not be reached")]
    Network,
}

/// Makes requests for users under the operator's rules.
#[derive(Debug, Clone)]
pub struct Fetcher {
    rules: TargetRules,
    user_agent: String,
    connect_timeout: Duration,
    total_timeout: Duration,
}

impl Fetcher {
    /// A fetcher with `rules`, naming itself `user_agent`.
    pub fn new(
        rules: TargetRules,
        user_agent: String,
        connect_timeout: Duration,
        total_timeout: Duration,
    ) -> Self {
        Self {
            rules,
            user_agent,
            connect_timeout,
            total_timeout,
        }
    }

    /// The rules it applies.
    pub fn rules(&self) -> &TargetRules {
        &self.rules
    }

    /// This fetcher, admitting besides its rules the origin of `service`,
    /// a service the operator configured (see [`TargetRules::admitting`]).
    pub fn admitting(&self, service: &Url) -> Fetcher {
        Fetcher {
            rules: self.rules.admitting(service),
            ..self.clone()
        }
    }

    /// GETs `url` as `expect` says.
    pub async fn get(&self, url: &str, expect: Expect) -> Result<Fetched, FetchError> {
        let deadline = Instant::now() + self.total_timeout;
        let out_of_time = || FetchError::Timeout(self.total_timeout.as_secs());
        let mut current = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let pinned = timeout_at(deadline, self.rules.pin(&current))
                .await
                .map_err(|_| out_of_time())??;
            let client = self.client(&pinned.host, pinned.addr)?;
            let response = timeout_at(deadline, client.get(pinned.url.clone()).send())
                .await
                .map_err(|_| out_of_time())?
                .map_err(|e| {
                    if e.is_timeout() {
                        out_of_time()
                    } else {
                        FetchError::Network
                    }
                })?;
            let status = response.status();
            if status.is_redirection() {
                let target = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| pinned.url.join(l).ok())
                    .ok_or(FetchError::BadRedirect)?;
                current = target.to_string();
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|t| t.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let expected = expect.content_types.is_empty()
                || expect
                    .content_types
                    .iter()
                    .any(|t| content_type.to_ascii_lowercase().starts_with(t));
            if !expected {
                return Err(FetchError::ContentType(content_type));
            }
            if response
                .content_length()
                .is_some_and(|length| length > expect.max_bytes)
            {
                return Err(FetchError::TooLarge(expect.max_bytes));
            }
            let bytes = timeout_at(deadline, read_bounded(response, expect.max_bytes))
                .await
                .map_err(|_| out_of_time())??;
            return Ok(Fetched {
                url: pinned.url,
                content_type,
                bytes,
            });
        }
        Err(FetchError::TooManyRedirects)
    }

    /// A client that connects `host` to `addr` only.
    fn client(&self, host: &str, addr: SocketAddr) -> Result<reqwest::Client, FetchError> {
        let mut builder = reqwest::Client::builder()
            .redirect(Policy::none())
            .referer(false)
            .no_proxy()
            .user_agent(self.user_agent.clone())
            .connect_timeout(self.connect_timeout)
            .timeout(self.total_timeout);
        // An address literal is connected to as it is; a name is resolved
        // to the address that was checked, never again.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if literal.parse::<std::net::IpAddr>().is_err() {
            builder = builder.resolve(host, addr);
        }
        builder.build().map_err(|_| FetchError::Network)
    }
}

/// The body, refused once it grows beyond `max` bytes.
async fn read_bounded(mut response: reqwest::Response, max: u64) -> Result<Vec<u8>, FetchError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| FetchError::Network)? {
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(FetchError::TooLarge(max));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::external::target::HostRule;
    use axum::Router;
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::get;

    const XML: Expect = Expect {
        max_bytes: 1000,
        content_types: &["application/xml", "text/xml"],
    };

    fn fetcher(allow_loopback: bool, port: u16) -> Fetcher {
        Fetcher::new(
            TargetRules {
                hosts: HostRule::AnyExcept(Vec::new()),
                extra_ports: vec![port],
                allow_loopback,
                admitted: None,
            },
            "numis-test".into(),
            Duration::from_secs(2),
            Duration::from_secs(3),
        )
    }

    /// A "third party" on loopback: capabilities, a large body, an image,
    /// redirects to a private address and in a circle, and the headers
    /// it was sent.
    async fn third_party() -> u16 {
        let app = Router::new()
            .route(
                "/caps",
                get(|| async { ([(header::CONTENT_TYPE, "text/xml")], "<WMS_Capabilities/>") }),
            )
            .route(
                "/big",
                get(|| async { ([(header::CONTENT_TYPE, "text/xml")], "x".repeat(5000)) }),
            )
            .route(
                "/png",
                get(|| async { ([(header::CONTENT_TYPE, "image/png")], "PNG") }),
            )
            .route(
                "/to-metadata",
                get(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")],
                    )
                        .into_response()
                }),
            )
            .route(
                "/circle",
                get(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [(header::LOCATION, "/circle")],
                    )
                        .into_response()
                }),
            )
            .route(
                "/headers",
                get(|headers: axum::http::HeaderMap| async move {
                    let names: Vec<String> = headers.keys().map(|k| k.to_string()).collect();
                    ([(header::CONTENT_TYPE, "text/xml")], names.join(","))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        port
    }

    #[tokio::test]
    async fn a_permitted_server_answers_within_the_bounds_and_hears_nothing_of_the_user() {
        let port = third_party().await;
        let fetcher = fetcher(true, port);
        let url = |path: &str| format!("http://localhost:{port}{path}");
        let caps = fetcher.get(&url("/caps"), XML).await.unwrap();
        assert_eq!(caps.bytes, b"<WMS_Capabilities/>");
        assert!(matches!(
            fetcher.get(&url("/big"), XML).await,
            Err(FetchError::TooLarge(1000))
        ));
        assert!(matches!(
            fetcher.get(&url("/png"), XML).await,
            Err(FetchError::ContentType(_))
        ));
        assert!(matches!(
            fetcher.get(&url("/circle"), XML).await,
            Err(FetchError::TooManyRedirects)
        ));
        // Loopback is allowed here; the cloud metadata address never is.
        assert!(matches!(
            fetcher.get(&url("/to-metadata"), XML).await,
            Err(FetchError::Refused(Refusal::NotPublic(_)))
        ));
        let heard = fetcher.get(&url("/headers"), XML).await.unwrap();
        let heard = String::from_utf8(heard.bytes).unwrap();
        for header in [
            "cookie",
            "referer",
            "x-forwarded-for",
            "forwarded",
            "authorization",
        ] {
            assert!(
                !heard.split(',').any(|h| h == header),
                "{header} in {heard}"
            );
        }
        assert!(heard.contains("user-agent"));
    }

    #[tokio::test]
    async fn without_the_test_allowance_a_canary_on_loopback_is_never_contacted() {
        let canary = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = canary.local_addr().unwrap().port();
        let fetcher = fetcher(false, port);
        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("http://localhost:{port}/"),
            format!("http://2130706433:{port}/"),
            format!("http://0x7f.0.0.1:{port}/"),
            format!("http://0177.0.0.1:{port}/"),
            format!("http://127.1:{port}/"),
            format!("http://0.0.0.0:{port}/"),
            format!("http://[::1]:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
        ] {
            assert!(
                matches!(
                    fetcher.get(&url, XML).await,
                    Err(FetchError::Refused(Refusal::NotPublic(_)))
                ),
                "{url}"
            );
        }
        let contacted = tokio::time::timeout(Duration::from_millis(300), canary.accept()).await;
        assert!(contacted.is_err(), "the canary heard nothing");
    }
}
