//! `verify --format markdown` on cases built here: what came from the
//! documents cannot break the table, and extensions appear in markdown as in
//! text (both come from one walk over the report).

mod support;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall};
use serde_json::json;
use support::*;

sol! {
    function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay);
}

fn write_case(dir: &Dir, f: &Fixture) {
    let (m, r, ap, _) = f.texts();
    dir.write("manifest.json", m);
    dir.write("release.json", r);
    dir.write("approvals.json", ap.unwrap_or_default());
    dir.write("rollback.tar", ROLLBACK_PACKAGE);
    dir.write("evidence.json", EVIDENCE);
}

fn verify(dir: &Dir, package: &[&str], format: &str) -> (String, Option<i32>) {
    let p = |n: &str| dir.path(n);
    let o = bin()
        .arg("verify")
        .arg("--manifest").arg(p("manifest.json"))
        .arg("--release").arg(p("release.json"))
        .arg("--approvals").arg(p("approvals.json"))
        .arg("--rollback-package").arg(p("rollback.tar"))
        .arg("--evidence").arg(p("evidence.json"))
        .args(package)
        .args(["--now", NOW, "--format", format, "--color", "never"])
        .output()
        .unwrap();
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8(o.stdout).unwrap(), o.status.code())
}

#[test]
fn a_file_name_with_a_pipe_and_markup_stays_inside_its_evidence_cell() {
    let dir = Dir::new("md-escape");
    let mut f = Fixture::releasable();
    dir.write("package/out/Vault.json", PACKAGE);
    let listing = upgrade_gate::digest::listing_hash(&[("out/Vault.json".to_string(), sha(PACKAGE))].into_iter().collect());
    f.manifest["package"] = json!({ "hash": listing.to_string(), "files": [{ "path": "out/Vault.json", "hash": sha(PACKAGE).to_string() }] });
    f.manifest["simulation"]["packageHash"] = json!(listing.to_string());
    // An extra file slipped into the folder, named to break a markdown table.
    dir.write("package/a|b <img src=x>*.sol", b"evil");
    write_case(&dir, &f);
    let package = dir.path("package");
    let (md, code) = verify(&dir, &["--package-dir", package.to_str().unwrap()], "markdown");
    assert_eq!(code, Some(20));
    let row = md.lines().find(|l| l.contains("| `package.files` |")).expect("package.files row");
    assert!(row.contains("a\\|b &lt;img src=x&gt;\\*.sol"), "{row}");
    assert_eq!(row.replace("\\|", "").matches('|').count(), 4, "three cells: {row}");
    assert!(!md.contains("<img"), "no markup from the documents survives");
}

#[test]
fn a_timelock_operation_appears_in_markdown_as_in_text() {
    let dir = Dir::new("md-timelock");
    let timelock = a(0x7c);
    let actions = actions_of(&json!([
        action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, IMPL_1, vec![])),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    let data = scheduleBatchCall {
        targets: actions.iter().map(|x| x.to).collect(),
        values: actions.iter().map(|x| x.value).collect(),
        payloads: actions.iter().map(|x| x.data.clone()).collect(),
        predecessor: B256::ZERO,
        salt: B256::with_last_byte(1),
        delay: U256::from(172_800),
    }
    .abi_encode();
    let f = Fixture::releasable().with_safe_tx(json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1",
        "to": cs(timelock), "value": "0", "data": hex(&data), "operation": 0,
        "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": cs(Address::ZERO), "refundReceiver": cs(Address::ZERO), "nonce": 3
    }));
    write_case(&dir, &f);
    dir.write("package.tar", PACKAGE);
    let package = dir.path("package.tar");
    let args = ["--package", package.to_str().unwrap()];
    let (text, _) = verify(&dir, &args, "text");
    let (md, _) = verify(&dir, &args, "markdown");
    let heading = "timelock operations (extension; not one of the checks):\n";
    let at = text.find(heading).expect("text shows the timelock extension") + heading.len();
    let body = &text[at..text[at..].find("\n\n").map_or(text.len(), |end| at + end + 1)];
    assert!(body.contains("operation id") && body.contains(&cs(timelock)), "{body}");
    assert!(md.contains(&format!("### Timelock operations (extension; not one of the checks)\n\n```text\n{body}```\n")), "{md}");
}
