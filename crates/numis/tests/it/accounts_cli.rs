//! `numis account …`: the operator's accounts on the command line
//! (issue 12). Passwords come from the terminal or `--password-stdin`,
//! never from arguments; the listing shows pseudonyms and roles only.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `numis account ARGS --data-dir DIR`, feeding `stdin`; (success, output).
fn account(data_dir: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_numis"))
        .arg("account")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("NUMIS_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run numis");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("numis account");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn an_operator_manages_accounts_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let secret = "Moorfrosch-Wiesenweihe-17";

    let (ok, out) = account(
        data,
        &[
            "create",
            "Anna Admin",
            "--role",
            "operator",
            "--password-stdin",
        ],
        &format!("{secret}\n"),
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("created account Anna Admin (operator)"),
        "{out}"
    );

    let (ok, out) = account(
        data,
        &["create", "ANNA admin", "--password-stdin"],
        "Another-Long-Secret-99\n",
    );
    assert!(!ok, "the same pseudonym in other letters is taken: {out}");

    let (ok, out) = account(data, &["grant", "Anna Admin", "naturschutz"], "");
    assert!(ok, "{out}");
    let (ok, out) = account(data, &["list"], "");
    assert!(ok, "{out}");
    assert!(out.contains("Anna Admin\tnaturschutz, operator\t"), "{out}");
    assert!(out.contains("1 account(s)"), "{out}");
    assert!(
        !out.contains(secret) && !out.contains("$argon2"),
        "no password, no hash: {out}"
    );

    let (ok, out) = account(data, &["revoke", "Anna Admin", "naturschutz"], "");
    assert!(
        ok && out.contains("no longer holds the role naturschutz"),
        "{out}"
    );
    let (ok, out) = account(data, &["block", "Anna Admin"], "");
    assert!(ok, "{out}");
    let (_, out) = account(data, &["list"], "");
    assert!(out.contains("\tyes"), "blocked: {out}");
    let (ok, out) = account(data, &["unblock", "Anna Admin"], "");
    assert!(ok, "{out}");
    let (ok, out) = account(
        data,
        &["reset", "Anna Admin", "--password-stdin"],
        "Neues-Passwort-Heidelerche\n",
    );
    assert!(ok, "{out}");

    let (ok, out) = account(data, &["delete", "Anna Admin", "--drawings", "keep"], "");
    assert!(ok && out.contains("is erased"), "{out}");
    let (_, out) = account(data, &["list"], "");
    assert!(out.contains("0 account(s)"), "{out}");
    let (ok, out) = account(data, &["delete", "Anna Admin", "--drawings", "keep"], "");
    assert!(!ok, "an unknown pseudonym is an error: {out}");
}

#[test]
fn passwords_are_never_arguments_and_weak_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = account(
        dir.path(),
        &["create", "Bert"],
        "Moorfrosch-Wiesenweihe-17\n",
    );
    assert!(
        !ok,
        "without a terminal the password is not read silently: {out}"
    );
    assert!(out.contains("--password-stdin"), "{out}");

    let (ok, out) = account(
        dir.path(),
        &["create", "Bert", "--password-stdin"],
        "kurz\n",
    );
    assert!(!ok, "{out}");
    let (ok, out) = account(
        dir.path(),
        &["create", "Bert", "--password-stdin"],
        "passwort123\n",
    );
    assert!(!ok, "a common password is refused: {out}");
    let (_, out) = account(dir.path(), &["list"], "");
    assert!(out.contains("0 account(s)"), "nothing was created: {out}");
}
