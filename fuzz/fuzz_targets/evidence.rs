//! SPEC §7.1–7.2 the evidence reader on hostile bytes: a state diff or
//! opaque or an input error, never a panic or a hang; what it reads obeys
//! §7.2; and a document `upgrade-gate evidence` builds from it reads back
//! with the same written accounts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upgrade_gate::document::evidence::{Evidence, Form};
use upgrade_gate::evm::state_diff::written_accounts;
use upgrade_gate::formats::node_evidence::{evidence_document, NodeOutputs};
use upgrade_gate::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { evidence_bytes: 256 << 10, ..Limits::default() };
    let Ok(evidence) = Evidence::read(data, &limits).map_err(|e| e.to_string()) else { return };
    let Some(diff) = evidence.state_diff() else { return };
    let written = written_accounts(&diff.diff);
    for w in &written {
        assert!(!(w.created && w.destroyed), "created and destroyed");
        assert_eq!(w.created, !diff.diff.pre.contains_key(&w.address) && diff.diff.post.contains_key(&w.address) , "created is only-in-post");
        assert_eq!(w.destroyed, !diff.diff.post.contains_key(&w.address), "destroyed is only-in-pre");
        assert!(w.changes.iter().all(|c| c.before != c.after), "a change to the same value");
        assert!(w.created || w.destroyed || w.code_changed || !w.changes.is_empty(), "written without a write");
    }
    if diff.form != Form::Document {
        let Ok(text) = std::str::from_utf8(data) else { return };
        let outputs = NodeOutputs { state_diff: text, ..NodeOutputs::default() };
        let doc = evidence_document(&outputs, &limits).expect("a state diff the gate reads is one the evidence command takes");
        let again = Evidence::read(doc.to_string().as_bytes(), &limits).expect("the built document reads back");
        let again = again.state_diff().expect("as a state diff");
        assert_eq!(written_accounts(&again.diff), written, "the built document says the same");
    }
});
