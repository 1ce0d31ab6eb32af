//! `examples/ci/verify-upgrade.yml`, run here the way a GitHub runner runs
//! it: the workflow's `run:` steps, read from the YAML, each executed in order
//! by `bash --noprofile --norc -eo pipefail` (the workflow's `shell: bash`)
//! with `GITHUB_STEP_SUMMARY`, `GITHUB_PATH` and `RUNNER_TEMP` pointing into
//! a temporary folder, the job stopping at the first step that fails.
//! `uses:` steps (checkout) need no emulation: the repository is the workspace.
//!
//! "Build the CLI" runs against a stand-in `cargo` that records its arguments
//! and installs the binary this test run has already built from the same
//! sources (a release build takes minutes). `UPGRADE_GATE_CI_REAL_BUILD=1`
//! runs the real `cargo install` instead.

// The runner is emulated with bash, as on GitHub's Linux runners.
#![cfg(unix)]

mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Workflow {
    env: BTreeMap<String, String>,
    steps: Vec<(String, Option<String>)>,
}

fn workflow() -> Workflow {
    let text = std::fs::read_to_string(repo_root().join("examples/ci/verify-upgrade.yml")).expect("read the workflow");
    let root = yaml::parse(&text).unwrap_or_else(|e| panic!("verify-upgrade.yml: {e}"));
    assert_eq!(root["defaults"]["run"]["shell"], "bash", "the runner is emulated for `shell: bash`");
    let job = &root["jobs"]["verify"];
    let mut env = BTreeMap::new();
    for scope in [&root["env"], &job["env"]] {
        for (k, v) in scope.as_object().into_iter().flatten() {
            let v = v.as_str().expect("env values are strings");
            // A `${{ … }}` expression is GitHub's to evaluate: here it is empty,
            // as for a manual run given no inputs (tests set what they need).
            let v = if v.starts_with("${{") && v.ends_with("}}") { "" } else { v };
            env.insert(k.clone(), v.to_string());
        }
    }
    let steps = job["steps"]
        .as_array()
        .expect("jobs.verify.steps")
        .iter()
        .map(|s| {
            let name = s["name"].as_str().or(s["uses"].as_str()).expect("a step has a name or uses").to_string();
            (name, s["run"].as_str().map(str::to_string))
        })
        .collect();
    Workflow { env, steps }
}

/// What one job run left behind.
struct Job {
    /// The failing step and its exit status, if one failed.
    failed: Option<(String, i32)>,
    summary: String,
    log: String,
    cargo_args: String,
    _tmp: Tmp,
}

struct Tmp(PathBuf);

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_job(label: &str, overrides: &[(&str, &str)]) -> Job {
    let wf = workflow();
    let tmp = std::env::temp_dir().join(format!("upgrade-gate-ci-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (runner_temp, stub) = (tmp.join("runner"), tmp.join("stub"));
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    std::fs::create_dir_all(&stub).expect("mkdir");
    let (summary, github_path, cargo_args) = (tmp.join("summary.md"), tmp.join("github_path"), tmp.join("cargo-args"));
    std::fs::write(&summary, "").expect("summary");
    std::fs::write(&github_path, "").expect("GITHUB_PATH");

    let real_build = std::env::var("UPGRADE_GATE_CI_REAL_BUILD").as_deref() == Ok("1");
    if !real_build {
        let script = format!(
            "#!/bin/sh\n# Stand-in for `cargo install --root DIR`: installs the binary this test run built.\nset -e\necho \"$*\" >> '{}'\nroot=''\nwhile [ $# -gt 0 ]; do case \"$1\" in --root) root=\"$2\"; shift 2 ;; *) shift ;; esac; done\n[ -n \"$root\" ]\nmkdir -p \"$root/bin\"\ncp '{}' \"$root/bin/upgrade-gate\"\n",
            cargo_args.display(),
            env!("CARGO_BIN_EXE_upgrade-gate")
        );
        let cargo = stub.join("cargo");
        std::fs::write(&cargo, script).expect("stub cargo");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    let mut env = wf.env.clone();
    for (k, v) in overrides {
        env.insert((*k).to_string(), (*v).to_string());
    }
    let path_prefix: Vec<String> = if real_build { vec![] } else { vec![stub.display().to_string()] };
    let mut log = String::new();
    let mut failed = None;
    for (name, run) in &wf.steps {
        let Some(run) = run else { continue };
        let script = tmp.join("step.sh");
        std::fs::write(&script, run).expect("step script");
        // GITHUB_PATH entries apply to the steps after the one that wrote them, first added first.
        let added: Vec<String> = std::fs::read_to_string(&github_path).expect("GITHUB_PATH").lines().rev().map(str::to_string).collect();
        let path = added.iter().chain(path_prefix.iter()).cloned().chain(std::env::var("PATH").ok()).collect::<Vec<_>>().join(":");
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(repo_root())
            .envs(&env)
            .env("PATH", path)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", repo_root())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &github_path)
            .env("RUNNER_TEMP", &runner_temp)
            .output()
            .expect("run bash");
        log.push_str(&format!("## {name}\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        if !out.status.success() {
            failed = Some((name.clone(), out.status.code().unwrap_or(-1)));
            break;
        }
    }
    Job {
        failed,
        summary: std::fs::read_to_string(&summary).expect("summary"),
        log,
        cargo_args: std::fs::read_to_string(&cargo_args).unwrap_or_default(),
        _tmp: Tmp(tmp),
    }
}

fn expected_now(name: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join("examples").join(name).join("expected.json")).expect("expected.json");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    v["now"].as_str().expect("now").to_string()
}

fn expected_decision(name: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join("examples").join(name).join("expected.json")).expect("expected.json");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    v["decision"].as_str().expect("decision").to_string()
}

fn run_example(name: &str) -> Job {
    let case = format!("examples/{name}");
    // A case with a witness is verified against the block hash a maintainer set as a repository variable.
    let block_hash = std::fs::read_to_string(repo_root().join(&case).join("block-hash.txt")).map(|s| s.trim().to_string()).unwrap_or_default();
    run_job(name, &[("CASE_DIR", &case), ("UPGRADE_GATE_NOW", &expected_now(name)), ("UPGRADE_GATE_BLOCK_HASH", &block_hash)])
}

#[test]
fn the_workflow_has_a_build_step_and_a_verify_step() {
    let names: Vec<String> = workflow().steps.into_iter().filter(|(_, run)| run.is_some()).map(|(n, _)| n).collect();
    assert_eq!(names, ["Build the CLI", "Verify the case"]);
}

#[test]
fn a_releasing_case_passes_and_its_markdown_report_is_the_job_summary() {
    let job = run_example("standard-transparent");
    assert_eq!(job.failed, None, "{}", job.log);
    let golden = std::fs::read_to_string(repo_root().join("tests/golden/markdown/standard-transparent.md")).expect("golden");
    assert_eq!(job.summary, format!("<sub>upgrade-gate on `examples/standard-transparent`</sub>\n\n{golden}"));
    assert!(job.summary.contains("## ✅ RELEASE — "), "{}", job.summary);
    assert!(job.log.contains("upgrade-gate: RELEASE"), "{}", job.log);
}

#[test]
fn a_rejected_case_fails_the_job_with_exit_20_after_writing_the_summary() {
    let job = run_example("tampered-package-byte");
    assert_eq!(job.failed, Some(("Verify the case".to_string(), 20)), "{}", job.log);
    assert!(job.summary.contains("## ⛔ REJECT — failing: package.hash"), "{}", job.summary);
    assert!(job.summary.contains("| ❌ **fail** | `package.hash` |"), "{}", job.summary);
    assert!(job.log.contains("::error title=upgrade-gate::REJECT"), "{}", job.log);
}

#[test]
fn a_case_on_hold_fails_the_job_with_exit_10() {
    // Before the manifest's notBefore (2026-11-22T12:00:00Z): timing.window pends.
    let job = run_job("hold", &[("CASE_DIR", "examples/standard-transparent"), ("UPGRADE_GATE_NOW", "2026-11-21T00:00:00Z")]);
    assert_eq!(job.failed, Some(("Verify the case".to_string(), 10)), "{}", job.log);
    assert!(job.summary.contains("## ⏸️ HOLD — pending: timing.window"), "{}", job.summary);
}

#[test]
fn every_example_ends_the_job_as_its_decision_says() {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("expected.json").is_file())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let job = run_example(&name);
        let decision = expected_decision(&name);
        let want = match decision.as_str() {
            "release" => None,
            "hold" => Some(("Verify the case".to_string(), 10)),
            _ => Some(("Verify the case".to_string(), 20)),
        };
        assert_eq!(job.failed, want, "{name}: {}", job.log);
        assert!(job.summary.contains(&format!(" {} — ", decision.to_uppercase())), "{name}: {}", job.summary);
    }
}

#[test]
fn a_witness_case_without_the_trusted_block_hash_variable_holds() {
    let case = "examples/anvil-safe-multisend";
    let job = run_job("anvil-safe-multisend", &[("CASE_DIR", case), ("UPGRADE_GATE_NOW", &expected_now("anvil-safe-multisend")), ("UPGRADE_GATE_BLOCK_HASH", "")]);
    assert_eq!(job.failed, Some(("Verify the case".to_string(), 10)), "{}", job.log);
    assert!(job.log.contains("UPGRADE_GATE_BLOCK_HASH is not set"), "{}", job.log);
}

#[test]
fn unreadable_inputs_fail_the_job_and_the_summary_says_why() {
    let dir = std::env::temp_dir().join(format!("upgrade-gate-ci-broken-case-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("manifest.json"), "{\"schema\": \"upgrade-gate/manifest/v1\",\n  \"chainId\": }").expect("write");
    std::fs::write(dir.join("release.json"), "{}").expect("write");
    let case = dir.display().to_string();
    let job = run_job("broken", &[("CASE_DIR", &case)]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(job.failed, Some(("Verify the case".to_string(), 2)), "{}", job.log);
    assert!(job.summary.contains("manifest.json: manifest"), "{}", job.summary);
    assert!(job.summary.contains("line 2"), "{}", job.summary);
    assert!(job.log.contains("the inputs could not be read (exit 2)"), "{}", job.log);
}

#[test]
fn the_build_step_installs_the_cli_from_the_checkout_with_the_lockfile() {
    if std::env::var("UPGRADE_GATE_CI_REAL_BUILD").as_deref() == Ok("1") {
        return;
    }
    let job = run_example("standard-transparent");
    assert!(job.cargo_args.starts_with("install --path . --locked --root "), "{}", job.cargo_args);
}

/// Issue 21: a pull request's own files must not decide its check.
fn case_with_own_policy(label: &str) -> (PathBuf, Tmp) {
    let dir = std::env::temp_dir().join(format!("upgrade-gate-ci-pr-policy-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    // A case whose package was never supplied: the default policy requires it (HOLD).
    let src = repo_root().join("examples/standard-transparent");
    for e in std::fs::read_dir(&src).expect("example") {
        let p = e.expect("entry").path();
        if p.file_name().is_some_and(|n| n != "package.tar") {
            std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    // What a pull request could add to pass its own check: a policy that requires no package.
    std::fs::write(dir.join("policy.json"), r#"{"schema": "upgrade-gate/policy/v1", "require": []}"#).expect("policy");
    (dir.clone(), Tmp(dir))
}

fn head_commit() -> String {
    let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo_root()).output().expect("git");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_pull_requests_own_policy_is_not_read_the_base_commits_is() {
    let (dir, _keep) = case_with_own_policy("pr");
    let case = dir.display().to_string();
    let now = expected_now("standard-transparent");
    // A push to the protected branch: its checkout is trusted, its policy applies.
    let push = run_job("policy-push", &[("CASE_DIR", &case), ("UPGRADE_GATE_NOW", &now), ("GITHUB_EVENT_NAME", "workflow_dispatch")]);
    assert_eq!(push.failed, None, "{}", push.log);
    // A pull request: the policy comes from the base commit, which has none at that path.
    let pr = run_job(
        "policy-pr",
        &[("CASE_DIR", &case), ("UPGRADE_GATE_NOW", &now), ("GITHUB_EVENT_NAME", "workflow_dispatch"), ("UPGRADE_GATE_BASE_SHA", &head_commit())],
    );
    assert_eq!(pr.failed, Some(("Verify the case".to_string(), 10)), "{}", pr.log);
    assert!(pr.summary.contains("pending: package.hash"), "{}", pr.summary);
    assert!(pr.log.contains("the pull request's own policy is not read"), "{}", pr.log);
}

#[test]
fn a_pull_request_cannot_pin_the_evaluation_time() {
    let job = run_job(
        "pr-now",
        &[("CASE_DIR", "examples/standard-transparent"), ("UPGRADE_GATE_NOW", "2031-01-01T00:00:00Z"), ("GITHUB_EVENT_NAME", "pull_request")],
    );
    assert!(job.log.contains("UPGRADE_GATE_NOW is ignored for a pull_request run"), "{}", job.log);
    assert!(!job.summary.contains("2031-01-01T00:00:00Z"), "{}", job.summary);
}

#[test]
fn the_workflow_takes_the_time_from_the_clock_and_caches_the_cli() {
    let text = std::fs::read_to_string(repo_root().join("examples/ci/verify-upgrade.yml")).expect("read the workflow");
    assert!(text.contains("github.event_name == 'workflow_dispatch' && inputs.now"), "only a manual run pins the time");
    assert!(text.contains("uses: actions/cache@"), "the CLI's build is cached");
    assert!(text.contains("github.event.pull_request.base.sha"), "the policy comes from the base commit");
}
