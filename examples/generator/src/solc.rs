//! The compiler's output, as compile.mjs wrote it: standard-JSON outputs of
//! solc from npm. An artifact is one contract's entry of that output, the
//! shape SPEC §7.4 accepts (`evm.deployedBytecode.{object, immutableReferences}`).

use alloy_primitives::hex;
use serde_json::{json, Value};

pub struct Solc {
    pub version: String,
    main: Value,
    rebuilt: Value,
}

pub struct Contract {
    /// Source unit, e.g. `src/Vault.sol`.
    pub unit: String,
    pub name: String,
    pub initcode: Vec<u8>,
    /// The artifact file: the standard-JSON output of this one contract.
    pub artifact: Value,
}

impl Solc {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("solc output: {e}"))?;
        let version = v["solcVersion"]
            .as_str()
            .ok_or("solc output: no solcVersion")?
            .to_string();
        Ok(Self {
            version,
            main: v["main"].clone(),
            rebuilt: v["rebuilt"].clone(),
        })
    }

    pub fn contract(&self, unit: &str, name: &str) -> Contract {
        pick(&self.main, unit, name)
    }

    /// effects-code-metadata: the same source with one comment line added.
    pub fn rebuilt(&self, unit: &str, name: &str) -> Contract {
        pick(&self.rebuilt, unit, name)
    }
}

fn pick(output: &Value, unit: &str, name: &str) -> Contract {
    let c = &output["contracts"][unit][name];
    let object = c["evm"]["bytecode"]["object"]
        .as_str()
        .unwrap_or_else(|| panic!("{unit}:{name} is not in the solc output"));
    let artifact = json!({
        "abi": c["abi"],
        "evm": {
            "bytecode": { "object": object },
            "deployedBytecode": c["evm"]["deployedBytecode"],
        },
        "metadata": c["metadata"],
    });
    Contract {
        unit: unit.to_string(),
        name: name.to_string(),
        initcode: hex::decode(object).expect("bytecode hex"),
        artifact,
    }
}

impl Contract {
    /// Creation code followed by ABI-encoded constructor arguments.
    pub fn init(&self, args: &[u8]) -> Vec<u8> {
        let mut out = self.initcode.clone();
        out.extend_from_slice(args);
        out
    }

    pub fn runtime_from_compiler(&self) -> Vec<u8> {
        let s = self.artifact["evm"]["deployedBytecode"]["object"]
            .as_str()
            .expect("object");
        hex::decode(s).expect("deployed bytecode hex")
    }
}
