//! Outgoing mail, for one purpose: password-reset links. Plain text over
//! SMTP as `[accounts.smtp]` says (`lettre`, TLS by rustls with the
//! system's certificate store).
//!
//! Without `host` there is no [`Mailer`] and the portal offers no mail
//! at all (recovery codes always work). With `host` but a setting that
//! cannot work (no or malformed `from`, no `public_url`, an unknown
//! `security`, a name without password) the server does not start: an
//! operator who configured mail expects it to work, and a warning in a
//! log would leave citizens waiting for mails that never come.
//!
//! Privacy: no address reaches a log. A failed send is logged with the
//! kind of failure and the SMTP status only, since a server's answer can
//! quote the recipient.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::SmtpConfig;

/// How long one mail may take to send, connection included.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Why `[accounts.smtp]` cannot send mail: the server does not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailConfigError {
    /// `from` is missing.
    #[error(
        "[accounts.smtp] host is set, but from is missing (e.g. \"NUMIS <noreply@example.org>\")"
    )]
    NoFrom,
    /// `from` is no mail address.
    #[error("[accounts.smtp] from {from:?} is not a mail address: {reason}")]
    BadFrom {
        /// The setting.
        from: String,
        /// What is wrong with it.
        reason: lettre::address::AddressError,
    },
    /// `public_url` is missing or not an http(s) address.
    #[error(
        "[accounts.smtp] public_url must be the portal's address for links in mails, \
         starting with https:// or http:// (e.g. \"https://numis.example.org\")"
    )]
    BadPublicUrl,
    /// `security` is none of the three.
    #[error("[accounts.smtp] security must be starttls, tls or none, not {0:?}")]
    BadSecurity(String),
    /// `username` without `password` or the other way round.
    #[error("[accounts.smtp] username and password go together; one of them is missing")]
    HalfCredentials,
    /// TLS could not be set up for the host (e.g. no certificate store).
    #[error("[accounts.smtp] TLS for the mail server: {0}")]
    Tls(#[source] lettre::transport::smtp::Error),
}

/// Why one mail was not sent. Its `Display` never contains an address.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The recipient is not a mail address (the profile field is free
    /// text).
    #[error("the recipient is not a mail address")]
    BadRecipient,
    /// The message could not be built.
    #[error("the message could not be built")]
    Build,
    /// The mail server did not answer within [`SEND_TIMEOUT`].
    #[error("the mail server did not answer within {} seconds", SEND_TIMEOUT.as_secs())]
    Timeout,
    /// The mail server refused or the connection failed.
    #[error("sending failed ({kind}, SMTP status {status})")]
    Send {
        /// timeout, TLS, refused permanently, refused for now, connection.
        kind: &'static str,
        /// The SMTP reply code, or "none".
        status: String,
    },
}

/// Sends plain-text mails through the configured server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No credentials, no addresses.
        f.debug_struct("Mailer")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// The mailer `smtp` describes; `None` without a host.
    pub fn from_config(smtp: &SmtpConfig) -> Result<Option<Self>, MailConfigError> {
        let Some(host) = smtp
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        let from = smtp
            .from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or(MailConfigError::NoFrom)?;
        let from: Mailbox = from.parse().map_err(|reason| MailConfigError::BadFrom {
            from: from.to_owned(),
            reason,
        })?;
        let public_url = public_url(smtp.public_url.as_deref())?;
        let builder = match smtp.security.trim().to_ascii_lowercase().as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(MailConfigError::Tls)?,
            "tls" => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(MailConfigError::Tls)?
            }
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            other => return Err(MailConfigError::BadSecurity(other.to_owned())),
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(SEND_TIMEOUT))
            // Greet with the portal's own name, as RFC 5321 asks, rather
            // than the machine's.
            .hello_name(hello_name(host_of(&public_url)));
        match (&smtp.username, &smtp.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(MailConfigError::HalfCredentials),
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
            public_url,
        }))
    }

    /// The portal's public address, without a trailing slash, for links.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// A plain-text mail from the configured sender to `to`.
    pub fn message(&self, to: &str, subject: &str, body: String) -> Result<Message, MailError> {
        let to: Mailbox = to.trim().parse().map_err(|_| MailError::BadRecipient)?;
        let domain = self.from.email.domain().to_owned();
        let id = numis_core::accounts::new_session_id().map_err(|_| MailError::Build)?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable keeps the mostly ASCII text readable and
            // every line short, whatever the relay accepts.
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body)
            .map_err(|_| MailError::Build)
    }

    /// Sends `message`, waiting at most [`SEND_TIMEOUT`].
    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Err(_) => Err(MailError::Timeout),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(MailError::Send {
                kind: kind_of(&e),
                status: e
                    .status()
                    .map_or_else(|| "none".to_owned(), |code| code.to_string()),
            }),
        }
    }

    /// Sends `message` in a task of its own, so that the answer to the
    /// request neither waits for the mail server nor tells by its timing
    /// whether a mail went out. A failure is logged as `what` failed.
    pub fn send_in_background(self: &Arc<Self>, message: Message, what: &'static str) {
        let mailer = self.clone();
        tokio::spawn(async move {
            match mailer.send(message).await {
                Ok(()) => tracing::info!(mail = what, "mail sent"),
                Err(error) => tracing::warn!(mail = what, %error, "mail not sent"),
            }
        });
    }
}

/// `public_url` checked and without a trailing slash.
fn public_url(value: Option<&str>) -> Result<String, MailConfigError> {
    let url = value
        .map(str::trim)
        .map(|u| u.trim_end_matches('/'))
        .ok_or(MailConfigError::BadPublicUrl)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(MailConfigError::BadPublicUrl)?;
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    let clean = !host.is_empty()
        && !url.contains(['?', '#'])
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if clean {
        Ok(url.to_owned())
    } else {
        Err(MailConfigError::BadPublicUrl)
    }
}

/// The host of a checked public URL (an IPv6 address in brackets).
fn host_of(public_url: &str) -> &str {
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))
        .unwrap_or(public_url);
    if rest.starts_with('[') {
        return rest.split_inclusive(']').next().unwrap_or(rest);
    }
    rest.split(['/', ':']).next().unwrap_or(rest)
}

/// What the client says in `EHLO`: the portal's name, or its address as
/// an address literal.
fn hello_name(host: &str) -> ClientId {
    let inner = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = inner.parse::<std::net::Ipv4Addr>() {
        ClientId::Ipv4(ip)
    } else if let Ok(ip) = inner.parse::<std::net::Ipv6Addr>() {
        ClientId::Ipv6(ip)
    } else {
        ClientId::Domain(host.to_owned())
    }
}

/// The kind of a send failure, for the log.
fn kind_of(error: &lettre::transport::smtp::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_tls() {
        "TLS"
    } else if error.is_permanent() {
        "refused permanently"
    } else if error.is_transient() {
        "refused for now"
    } else {
        "connection"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(host: &str) -> SmtpConfig {
        SmtpConfig {
            host: Some(host.to_owned()),
            port: 2525,
            security: "none".to_owned(),
            username: None,
            password: None,
            from: Some("NUMIS <noreply@numis.example>".to_owned()),
            public_url: Some("https://numis.example/".to_owned()),
        }
    }

    fn refusal(config: &SmtpConfig) -> String {
        match Mailer::from_config(config) {
            Err(e) => e.to_string(),
            Ok(m) => panic!("accepted: {m:?}"),
        }
    }

    #[test]
    fn no_host_no_mailer() {
        assert!(
            Mailer::from_config(&SmtpConfig::default())
                .unwrap()
                .is_none()
        );
        assert!(Mailer::from_config(&smtp(" ")).unwrap().is_none());
    }

    #[test]
    fn a_complete_setting_makes_a_mailer_with_the_public_url_without_slash() {
        let mailer = Mailer::from_config(&smtp("mail.numis.example"))
            .unwrap()
            .unwrap();
        assert_eq!(mailer.public_url(), "https://numis.example");
        let mut with_login = smtp("mail.numis.example");
        with_login.username = Some("numis".into());
        with_login.password = Some("geheim".into());
        with_login.security = "STARTTLS".into();
        let mailer = Mailer::from_config(&with_login).unwrap().unwrap();
        assert!(!format!("{mailer:?}").contains("geheim"));
    }

    #[test]
    fn settings_that_cannot_work_are_named() {
        let mut config = smtp("mail.numis.example");
        config.from = None;
        assert!(refusal(&config).contains("from is missing"));
        config.from = Some("kein absender".into());
        assert!(refusal(&config).contains("\"kein absender\" is not a mail address"));

        let mut config = smtp("mail.numis.example");
        for bad in [
            None,
            Some("numis.example"),
            Some("https://"),
            Some("https://a b"),
        ] {
            config.public_url = bad.map(Into::into);
            assert!(refusal(&config).contains("public_url"), "{bad:?}");
        }

        let mut config = smtp("mail.numis.example");
        config.security = "ssl".into();
        assert!(refusal(&config).contains("starttls, tls or none, not \"ssl\""));

        let mut config = smtp("mail.numis.example");
        config.username = Some("numis".into());
        assert!(refusal(&config).contains("username and password go together"));
    }

    #[test]
    fn a_message_is_plain_text_from_the_sender_and_its_errors_name_no_address() {
        let mailer = Mailer::from_config(&smtp("mail.numis.example"))
            .unwrap()
            .unwrap();
        let message = mailer
            .message(
                "heidschnucke@beispiel.example",
                "NUMIS: reset your password",
                "Hello\nhttps://numis.example/en/account/new-password?token=abc\n".into(),
            )
            .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("From: NUMIS <noreply@numis.example>"),
            "{text}"
        );
        assert!(text.contains("To: heidschnucke@beispiel.example"));
        assert!(text.contains("Subject: NUMIS: reset your password"));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable"));
        assert!(text.contains("@numis.example>"), "message id of our domain");

        let refused = mailer.message("kein@", "x", String::new()).unwrap_err();
        assert!(matches!(refused, MailError::BadRecipient));
        assert!(!refused.to_string().contains("kein@"));
    }

    #[test]
    fn the_greeting_names_the_portal() {
        assert_eq!(
            host_of("https://numis.example:8443/portal"),
            "numis.example"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8080/"), "[::1]");
        assert_eq!(hello_name("numis.example").to_string(), "numis.example");
        assert_eq!(hello_name("127.0.0.1").to_string(), "[127.0.0.1]");
        assert_eq!(hello_name("[::1]").to_string(), "[IPv6:::1]");
    }
}
