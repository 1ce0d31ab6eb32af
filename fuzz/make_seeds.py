#!/usr/bin/env python3
"""Builds the committed seed corpus in fuzz/seeds/ from tests/vectors,
tests/fixtures and examples/ (run from the repository root; idempotent).

- documents/: every JSON document of the examples and vectors, as is.
- calldata/:  every action's calldata, and every MultiSend batch's packed
              transactions, as raw bytes.
- verify/:    each example as the `verify` target reads it: manifest, release,
              approvals, policy, observed, separated by NUL bytes.
- case/:      the releasable fixture (written by tests/properties.rs).
"""
import hashlib
import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def write(kind, name, data):
    d = SEEDS / kind
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def listing_hash(folder):
    files = sorted(
        (p.relative_to(folder).as_posix().encode(), p) for p in folder.rglob("*") if p.is_file()
    )
    listing = b"".join(
        hashlib.sha256(p.read_bytes()).hexdigest().encode() + b"  " + rel + b"\n" for rel, p in files
    )
    return "sha256:" + hashlib.sha256(listing).hexdigest()


def calldata_of(actions):
    for a in actions or []:
        data = bytes.fromhex(a["data"][2:])
        yield data
        if data[:4] == bytes.fromhex("8d80ff0a") and len(data) >= 68:
            n = int.from_bytes(data[36:68], "big")
            yield data[68 : 68 + n]


def main():
    examples = ROOT / "examples"
    for ex in sorted(p for p in examples.iterdir() if p.is_dir()) if examples.is_dir() else []:
        texts = {}
        for doc in ("manifest", "release", "approvals", "policy"):
            f = ex / f"{doc}.json"
            if f.exists():
                texts[doc] = f.read_text()
                write("documents", f"{ex.name}-{doc}.json", texts[doc])
        if "manifest" not in texts or "release" not in texts:
            continue
        manifest, release = json.loads(texts["manifest"]), json.loads(texts["release"])
        for i, data in enumerate(calldata_of(manifest.get("actions"))):
            write("calldata", f"{ex.name}-manifest-{i}", data)
        tx = release.get("safeTx")
        release_actions = release.get("actions") or ([tx] if tx else [])
        for i, data in enumerate(calldata_of(release_actions)):
            write("calldata", f"{ex.name}-release-{i}", data)
        expected = json.loads((ex / "expected.json").read_text()) if (ex / "expected.json").exists() else {}
        observed = {"now": expected.get("now", "2026-11-23T10:00:00Z")}
        if (ex / "package.tar").exists():
            observed["packageHash"] = sha((ex / "package.tar").read_bytes())
        elif (ex / "package").is_dir():
            observed["packageHash"] = listing_hash(ex / "package")
        if (ex / "rollback.tar").exists():
            observed["rollbackPackageHash"] = sha((ex / "rollback.tar").read_bytes())
        if (ex / "evidence.json").exists():
            observed["evidenceHash"] = sha((ex / "evidence.json").read_bytes())
        parts = [texts["manifest"], texts["release"], texts.get("approvals", ""), texts.get("policy", ""), json.dumps(observed)]
        write("verify", ex.name, "\0".join(parts))

    vectors = json.loads((ROOT / "tests" / "vectors" / "safe-tx.json").read_text())
    for i, v in enumerate(vectors["vectors"]):
        write("documents", f"safe-tx-vector-{i}.json", json.dumps(v["safeTx"], indent=2))
        for j, data in enumerate(calldata_of([v["safeTx"]])):
            write("calldata", f"safe-tx-vector-{i}-{j}", data)
    for f in sorted((ROOT / "tests" / "fixtures" / "jcs" / "input").glob("*.json")):
        write("documents", f"jcs-{f.name}", f.read_bytes())

    case = SEEDS / "case"
    if case.is_dir():
        parts = [(case / f"{d}.json").read_text() for d in ("manifest", "release", "approvals")]
        write("verify", "releasable-fixture", "\0".join(parts + ["", (case / "observed.json").read_text()]))
        for d in ("manifest", "release", "approvals"):
            write("documents", f"fixture-{d}.json", (case / f"{d}.json").read_text())


if __name__ == "__main__":
    main()
