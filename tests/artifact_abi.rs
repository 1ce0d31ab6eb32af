//! Issue 21 item 18: the call an upgrade runs in the proxy (an initializer the
//! gate does not know, e.g. `initializeV2(uint256)`) is named and decoded from
//! the `abi` of the package's artifact, in the report and the CLI's text;
//! its class stays the gate's, and without the artifact it stays a raw word.

mod support;

use std::path::{Path, PathBuf};

use alloy_primitives::{hex, keccak256, U256};
use serde_json::Value;
use support::bin;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

fn verify(name: &str, format: &str, package_dir: bool) -> String {
    let dir = example(name);
    let now = serde_json::from_slice::<Value>(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap()["now"].as_str().unwrap().to_string();
    let mut cmd = bin();
    cmd.args(["verify", "--format", format, "--now", &now]);
    for (flag, file) in [("--manifest", "manifest.json"), ("--release", "release.json"), ("--approvals", "approvals.json"), ("--policy", "policy.json"), ("--rollback-package", "rollback.tar"), ("--evidence", "evidence.json")] {
        cmd.arg(flag).arg(dir.join(file));
    }
    if package_dir {
        cmd.arg("--package-dir").arg(dir.join("package"));
    }
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

/// The initializer the release's upgradeToAndCall runs, as the artifact's ABI names it (computed here from the ABI).
fn expected(name: &str) -> (String, Vec<(String, String)>, String) {
    let dir = example(name);
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let path = manifest["targets"][0]["artifact"].as_str().unwrap().to_string();
    let artifact: Value = serde_json::from_slice(&std::fs::read(dir.join("package").join(&path)).unwrap()).unwrap();
    let release: Value = serde_json::from_slice(&std::fs::read(dir.join("release.json")).unwrap()).unwrap();
    let data = hex::decode(release["actions"][0]["data"].as_str().unwrap()).unwrap();
    // upgradeToAndCall(address,bytes): the bytes start at word 3.
    let len = U256::from_be_slice(&data[4 + 64..4 + 96]).to::<usize>();
    let inner = &data[4 + 96..4 + 96 + len];
    let f = artifact["abi"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["type"] == "function")
        .map(|f| {
            let types: Vec<&str> = f["inputs"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
            (format!("{}({})", f["name"].as_str().unwrap(), types.join(",")), f["inputs"].clone())
        })
        .find(|(sig, _)| keccak256(sig.as_bytes())[..4] == inner[..4])
        .expect("the artifact's ABI has the initializer");
    let args = f.1.as_array().unwrap().iter().enumerate().map(|(i, input)| (input["name"].as_str().unwrap().to_string(), U256::from_be_slice(&inner[4 + 32 * i..4 + 32 * (i + 1)]).to_string())).collect();
    (f.0, args, path)
}

#[test]
fn the_initializer_is_decoded_from_the_artifact_abi_and_keeps_its_class() {
    let name = "effects-uups-immutables";
    let (signature, args, path) = expected(name);
    assert!(args.iter().all(|(_, v)| v.parse::<u128>().is_ok()), "uint arguments: {args:?}");
    let report: Value = serde_json::from_str(&verify(name, "json", true)).unwrap();
    let inner = &report["decodedActions"][0]["call"]["inner"];
    assert_eq!(inner["function"], Value::Null, "the gate itself does not know it");
    assert_eq!(inner["fromAbi"]["function"], signature.as_str());
    assert_eq!(inner["fromAbi"]["artifact"], path.as_str());
    let shown: Vec<(String, String)> = inner["fromAbi"]["arguments"].as_array().unwrap().iter().map(|a| (a["name"].as_str().unwrap().to_string(), a["value"].as_str().unwrap().to_string())).collect();
    assert_eq!(shown, args);
    // An ABI the proposer wrote names the call; the class is the gate's, as without the package folder.
    let bare: Value = serde_json::from_str(&verify(name, "json", false)).unwrap();
    assert_eq!(inner["class"], bare["decodedActions"][0]["call"]["inner"]["class"]);
    assert_eq!(report["decision"], serde_json::from_slice::<Value>(&std::fs::read(example(name).join("expected.json")).unwrap()).unwrap()["decision"]);

    let text = verify(name, "text", true);
    assert!(text.contains(&signature), "{text}");
    assert!(text.contains(&path), "{text}");
    assert!(!text.contains("unknown function"), "{text}");
}

#[test]
fn without_the_package_folder_the_call_stays_unknown() {
    let name = "effects-uups-immutables";
    let report: Value = serde_json::from_str(&verify(name, "json", false)).unwrap();
    let inner = &report["decodedActions"][0]["call"]["inner"];
    assert_eq!(inner.get("fromAbi"), None);
    assert!(inner["words"].as_array().is_some_and(|w| !w.is_empty()));
    let text = verify(name, "text", false);
    assert!(text.contains("unknown function 0x"), "{text}");
}
