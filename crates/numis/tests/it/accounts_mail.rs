//! A forgotten password over HTTP: the link by mail (against an SMTP sink
//! written here, on a free local port) and the recovery code without any
//! mail. The e-mail address is set on the profile page `/konto/profil`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use regex::Regex;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, REFERRER_POLICY, SET_COOKIE};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::util::{TestServer, client, demo_site};

const NAME: &str = "Heidschnucke";
const PASSWORD: &str = "Moorlilie am Steinhuder Meer";
const NEW_PASSWORD: &str = "Wollgras im Großen Moor";
const EMAIL: &str = "heidschnucke@beispiel.example";
const PUBLIC_URL: &str = "http://numis.test";

/// One mail the sink took.
#[derive(Debug, Clone)]
struct Mail {
    recipients: Vec<String>,
    /// Headers and body as sent, dot-stuffing undone.
    data: String,
}

impl Mail {
    fn header(&self, name: &str) -> Option<&str> {
        let head = self.data.split("\r\n\r\n").next()?;
        head.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
    }

    /// The body, quoted-printable decoded.
    fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        assert_eq!(
            self.header("Content-Transfer-Encoding"),
            Some("quoted-printable")
        );
        quoted_printable(body)
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Just enough SMTP to take mails: 220, EHLO, MAIL, RCPT, DATA, QUIT.
struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let taken = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(smtp_session(stream, taken.clone()));
            }
        });
        Self { port, mails, task }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// The mails once there are `count`, waiting at most 15 seconds (the
    /// server sends in the background).
    async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mails = self.mails();
            if mails.len() >= count || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn smtp_session(stream: TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
    let mut recipients = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if command.starts_with("MAIL FROM:") {
            recipients.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            let address = line.split(['<', '>']).nth(1).unwrap_or_default().to_owned();
            recipients.push(address);
            b"250 OK\r\n"
        } else if command == "DATA" {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut data = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                data.push(unstuffed.to_owned());
            }
            mails.lock().unwrap().push(Mail {
                recipients: std::mem::take(&mut recipients),
                data: data.join("\r\n"),
            });
            b"250 OK queued\r\n"
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else if command == "RSET" || command == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn mail_server(sink: &SmtpSink) -> TestServer {
    let port = sink.port.to_string();
    TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_ACCOUNTS__SMTP__HOST", "127.0.0.1"),
            ("NUMIS_ACCOUNTS__SMTP__PORT", &port),
            ("NUMIS_ACCOUNTS__SMTP__SECURITY", "none"),
            ("NUMIS_ACCOUNTS__SMTP__FROM", "NUMIS <noreply@numis.test>"),
            ("NUMIS_ACCOUNTS__SMTP__PUBLIC_URL", PUBLIC_URL),
        ],
    )
}

/// A form POST from the server's own origin, with a cookie if given.
async fn post(
    server: &TestServer,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client()
        .post(server.url(path))
        .header(ORIGIN, &server.base)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// `numis_session=…` from an answer that logs in.
fn session_cookie(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("numis_session=") && !v.starts_with("numis_session=;"))
        .expect("a session cookie");
    set.split(';').next().unwrap().to_owned()
}

/// Registers `NAME`; answers the session cookie and the recovery codes.
async fn register(server: &TestServer) -> (String, Vec<String>) {
    let response = post(
        server,
        "/konto/registrieren",
        None,
        &[
            ("pseudonym", NAME),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = session_cookie(&response);
    let page = response.text().await.unwrap();
    let codes: Vec<String> = Regex::new(r"<li><code>([0-9a-z-]+)</code></li>")
        .unwrap()
        .captures_iter(&page)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    (cookie, codes)
}

/// Logs in; answers the status.
async fn login(server: &TestServer, password: &str) -> StatusCode {
    post(
        server,
        "/konto/anmelden",
        None,
        &[("pseudonym", NAME), ("password", password)],
    )
    .await
    .status()
}

/// Sets the profile's e-mail address on `/konto/profil`, as a citizen
/// does (this needs the settings pages).
async fn set_email(server: &TestServer, cookie: &str) {
    let (status, me) = get(server, "/api/me", Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let csrf = me["csrf"].as_str().unwrap();
    let response = post(
        server,
        "/konto/profil",
        Some(cookie),
        &[("csrf", csrf), ("email", EMAIL)],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the profile page /konto/profil (settings pages) must take the address"
    );
}

/// Asks for a link on the forgot page in German or English; answers the
/// redirect's target.
async fn ask_for_link(server: &TestServer, path: &str, pseudonym: &str) -> String {
    let response = post(server, path, None, &[("pseudonym", pseudonym)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
}

fn link_in(mail: &Mail, page: &str) -> String {
    let pattern = format!(
        r"{}{}\?token=[A-Za-z0-9_-]{{43}}",
        regex::escape(PUBLIC_URL),
        regex::escape(page)
    );
    let text = mail.text();
    Regex::new(&pattern)
        .unwrap()
        .find(&text)
        .unwrap_or_else(|| panic!("no link to {page} in:\n{text}"))
        .as_str()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_by_mail_sets_a_new_password_once() {
    let sink = SmtpSink::start().await;
    let server = mail_server(&sink);
    let (cookie, _) = register(&server).await;
    set_email(&server, &cookie).await;

    let (status, page) = get(&server, "/konto/passwort-vergessen", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"id="mail-pseudonym""#), "the mail form");

    let asked = ask_for_link(&server, "/konto/passwort-vergessen", NAME).await;
    assert_eq!(asked, "/konto/passwort-vergessen?gesendet");
    let (_, notice) = get(&server, &asked, None).await;
    assert!(notice.contains("Falls zu diesem Pseudonym eine E-Mail-Adresse hinterlegt ist"));

    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.recipients, [EMAIL]);
    assert_eq!(mail.header("From"), Some("NUMIS <noreply@numis.test>"));
    let text = mail.text();
    assert!(text.contains("„Heidschnucke“"), "{text}");
    assert!(text.contains("eine Stunde"), "{text}");
    assert!(text.contains("ignorieren"), "{text}");
    let link = link_in(mail, "/konto/passwort-neu");
    let path = link.strip_prefix(PUBLIC_URL).unwrap();
    let token = path.split("token=").nth(1).unwrap();

    // Opening the link shows the form and uses up nothing.
    for _ in 0..2 {
        let response = client().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[REFERRER_POLICY], "no-referrer");
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!(
            r#"<input type="hidden" name="token" value="{token}">"#
        )));
        assert_eq!(page.matches(token).count(), 1, "the token only there");
    }

    let response = post(
        &server,
        "/konto/passwort-neu",
        None,
        &[
            ("token", token),
            ("new_password", NEW_PASSWORD),
            ("new_password_repeat", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/konto/anmelden?zurueckgesetzt");
    let (_, notice) = get(&server, "/konto/anmelden?zurueckgesetzt", None).await;
    assert!(notice.contains("Ihr Passwort ist neu gesetzt"));

    let (status, _) = get(&server, "/api/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "every session ended");
    assert_eq!(login(&server, PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&server, NEW_PASSWORD).await, StatusCode::SEE_OTHER);

    // The link works once.
    let (status, page) = get(&server, path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains(r#"name="token""#), "no form");
    assert!(
        page.contains("/konto/passwort-vergessen"),
        "a way to a new link"
    );
    let again = post(
        &server,
        "/konto/passwort-neu",
        None,
        &[
            ("token", token),
            ("new_password", PASSWORD),
            ("new_password_repeat", PASSWORD),
        ],
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(login(&server, NEW_PASSWORD).await, StatusCode::SEE_OTHER);

    // The English page mails an English link.
    let asked = ask_for_link(&server, "/en/account/forgot-password", NAME).await;
    assert_eq!(asked, "/en/account/forgot-password?gesendet");
    let mails = sink.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[1].header("Subject"),
        Some("NUMIS: reset your password")
    );
    assert!(mails[1].text().contains("ignore this e-mail"));
    link_in(&mails[1], "/en/account/new-password");

    let log = server.log();
    assert!(!log.contains(EMAIL), "no address in the log");
    assert!(!log.contains(token), "no token in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_pseudonym_gets_the_same_answer_and_no_mail() {
    let sink = SmtpSink::start().await;
    let server = mail_server(&sink);
    let (cookie, _) = register(&server).await;
    set_email(&server, &cookie).await;

    let known = ask_for_link(&server, "/konto/passwort-vergessen", NAME).await;
    assert_eq!(sink.wait_for(1).await.len(), 1);
    let unknown = ask_for_link(&server, "/konto/passwort-vergessen", "Niemand-4711").await;
    assert_eq!(unknown, known);
    let (status_known, page_known) = get(&server, &known, None).await;
    let (status_unknown, page_unknown) = get(&server, &unknown, None).await;
    assert_eq!(status_known, status_unknown);
    assert_eq!(page_known, page_unknown);

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.mails().len(), 1, "no mail for the unknown pseudonym");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_mail_a_recovery_code_sets_a_new_password_once() {
    let server = TestServer::start(&demo_site());
    let (status, login_page) = get(&server, "/konto/anmelden", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(login_page.contains(r#"href="/konto/passwort-vergessen""#));
    let (_, english_login) = get(&server, "/en/account/login", None).await;
    assert!(english_login.contains(r#"href="/en/account/forgot-password""#));

    let (status, page) = get(&server, "/konto/passwort-vergessen", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"name="code""#), "the recovery-code form");
    assert!(
        !page.contains("mail-pseudonym"),
        "no mail form without SMTP"
    );

    let (_, codes) = register(&server).await;
    let recover = |code: String, password: &'static str| {
        let server = &server;
        async move {
            post(
                server,
                "/konto/passwort-vergessen",
                None,
                &[
                    ("pseudonym", NAME),
                    ("code", &code),
                    ("new_password", password),
                    ("new_password_repeat", password),
                ],
            )
            .await
        }
    };

    // From another site: refused before anything is read.
    let forged = client()
        .post(server.url("/konto/passwort-vergessen"))
        .header(ORIGIN, "http://elsewhere.example")
        .form(&[
            ("pseudonym", NAME),
            ("code", codes[0].as_str()),
            ("new_password", NEW_PASSWORD),
            ("new_password_repeat", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let response = recover(codes[4].to_uppercase(), NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/konto/anmelden?zurueckgesetzt");
    assert_eq!(login(&server, PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&server, NEW_PASSWORD).await, StatusCode::SEE_OTHER);

    let again = recover(codes[4].clone(), PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = again.text().await.unwrap();
    assert!(page.contains(r#"role="alert""#));
    assert!(page.contains("Wiederherstellungscode ist ungültig"));
    assert_eq!(login(&server, NEW_PASSWORD).await, StatusCode::SEE_OTHER);

    // The mail form's request, without mail: said so, nothing else.
    let response = post(
        &server,
        "/konto/passwort-vergessen",
        None,
        &[("pseudonym", NAME)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
