//! CLI niceties (issue 6): shell completions, `--color auto|always|never`
//! with NO_COLOR, and `--quiet` (the exit status is the answer).

mod support;

use std::process::{Command, Output};

use support::*;

fn bin() -> Command {
    let mut c = support::bin();
    // The tests decide about color themselves.
    c.env_remove("NO_COLOR");
    c
}

impl Dir {
    fn case(name: &str, f: &Fixture) -> Dir {
        let dir = Dir::new(name);
        let (m, r, ap, _) = f.texts();
        dir.write("manifest.json", m);
        dir.write("release.json", r);
        dir.write("approvals.json", ap.unwrap_or_default());
        dir.write("package.tar", PACKAGE);
        dir.write("rollback.tar", ROLLBACK_PACKAGE);
        dir.write("evidence.json", EVIDENCE);
        dir
    }
    fn verify(&self, c: &mut Command) -> Output {
        let p = |n: &str| self.0.join(n);
        c.arg("verify")
            .arg("--manifest")
            .arg(p("manifest.json"))
            .arg("--release")
            .arg(p("release.json"))
            .arg("--approvals")
            .arg(p("approvals.json"))
            .arg("--package")
            .arg(p("package.tar"))
            .arg("--rollback-package")
            .arg(p("rollback.tar"))
            .arg("--evidence")
            .arg(p("evidence.json"))
            .args(["--now", NOW])
            .output()
            .unwrap()
    }
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const ESC: &str = "\x1b[";

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}");
        let script = text(&o);
        assert!(script.contains("upgrade-gate"), "{shell}");
        assert!(
            script.contains("from-tx-builder") && script.contains("nested-safe"),
            "{shell} completes every command"
        );
    }
    assert_eq!(bin().args(["completions", "tcsh"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_status() {
    let dir = Dir::case("quiet-release", &Fixture::releasable());
    let o = dir.verify(bin().arg("--quiet"));
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let mut bad = Fixture::releasable();
    bad.release["actions"][1] = action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, ATTACKER));
    let dir = Dir::case("quiet-reject", &bad);
    let o = dir.verify(bin().arg("-q").args(["--format", "json"]));
    assert_eq!(o.status.code(), Some(20));
    assert!(o.stdout.is_empty());
}

#[test]
fn quiet_still_explains_an_input_error_on_stderr() {
    let dir = Dir::case("quiet-error", &Fixture::releasable());
    dir.write("release.json", "{ not json");
    let o = dir.verify(bin().arg("--quiet"));
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("release.json"));
}

#[test]
fn color_always_paints_only_the_decision_and_status_words() {
    let dir = Dir::case("color", &Fixture::releasable());
    let out = text(&dir.verify(bin().args(["--color", "always"])));
    assert!(out.starts_with("\x1b[1;32mRELEASE\x1b[0m"), "{out}");
    assert!(out.contains("\x1b[1;32mpass\x1b[0m"), "{out}");
    assert!(out.contains("\x1b[2mskip\x1b[0m") || !out.contains(" skip "), "{out}");
    // One colored word per check and one for the decision, nothing else.
    assert_eq!(out.matches(ESC).count(), 2 * (1 + upgrade_gate::gate::CHECK_IDS.len()), "{out}");
    // Columns stay aligned: the padding is outside the color.
    assert!(out.contains("\x1b[1;32mpass\x1b[0m    release.digest"), "{out}");
}

#[test]
fn color_auto_is_off_when_stdout_is_not_a_terminal() {
    let dir = Dir::case("color-auto", &Fixture::releasable());
    assert!(!text(&dir.verify(&mut bin())).contains(ESC));
    assert!(!text(&dir.verify(bin().args(["--color", "never"]))).contains(ESC));
}

#[test]
fn no_color_turns_auto_off_but_not_always() {
    let dir = Dir::case("no-color", &Fixture::releasable());
    let o = dir.verify(bin().env("NO_COLOR", "1").args(["--color", "auto"]));
    assert!(!text(&o).contains(ESC));
    let o = dir.verify(bin().env("NO_COLOR", "1").args(["--color", "always"]));
    assert!(text(&o).contains(ESC));
}

#[test]
fn json_output_is_never_colored() {
    let dir = Dir::case("color-json", &Fixture::releasable());
    let o = dir.verify(bin().args(["--color", "always", "--format", "json"]));
    assert!(!text(&o).contains(ESC));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap();
}
