// Test data for `storage.layout` (SPEC §10) from the real tools: compiles
// version pairs with solc from npm (pinned in package.json) — small contracts
// for each rule, and a real OpenZeppelin v5 UUPS + ERC20 + Ownable token
// against @openzeppelin/contracts-upgradeable — writes each compilation as a
// build info the way Hardhat 2 (`{_format, solcVersion, input, output}`),
// Hardhat 3 (`<id>.json` + `<id>.output.json`) and Foundry
// (`out/build-info/<id>.json`) write it, and asks @openzeppelin/upgrades-core
// 1.46.0 itself (extractStorageLayout + getStorageUpgradeReport with default
// options) for each pair's verdict. The committed expectations
// (tests/fixtures/layout/cases.json) are the library's, not this project's.
//
//   node examples/generator/layout.mjs          # writes tests/fixtures/layout/
//   node examples/generator/layout.mjs --check  # fails if anything would change
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'package.json'));
const solc = require('solc');
const { extractStorageLayout } = require('@openzeppelin/upgrades-core/dist/storage/extract.js');
const { getStorageUpgradeReport } = require('@openzeppelin/upgrades-core/dist/storage/index.js');
const { withValidationDefaults } = require('@openzeppelin/upgrades-core/dist/validate/overrides.js');
const { solcInputOutputDecoder } = require('@openzeppelin/upgrades-core/dist/src-decoder.js');
const { astDereferencer, findAll } = require('solidity-ast/utils');
const coreVersion = require('@openzeppelin/upgrades-core/package.json').version;
if (coreVersion !== '1.46.0') throw new Error(`upgrades-core ${coreVersion}: the spec names 1.46.0`);

const OUT = join(root, 'tests', 'fixtures', 'layout');
const check = process.argv.includes('--check');

const SETTINGS = (source, contract) => ({
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  // Only what the layout needs: ASTs of every source, the contract's storage layout and runtime code.
  outputSelection: {
    '*': { '': ['ast'] },
    [source]: { '': ['ast'], [contract]: ['storageLayout', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences'] },
  },
});

function findImport(path) {
  for (const base of [join(root, 'node_modules')]) {
    const p = join(base, path);
    if (existsSync(p)) return { contents: readFileSync(p, 'utf8') };
  }
  return { error: `not found: ${path}` };
}

function compile(source, text, contract) {
  const input = { language: 'Solidity', sources: { [source]: { content: text } }, settings: SETTINGS(source, contract) };
  const read = {};
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: path => (read[path] = findImport(path)) }));
  const errors = (output.errors ?? []).filter(e => e.severity === 'error');
  if (errors.length) throw new Error(`${source}: ${errors.map(e => e.formattedMessage).join('\n')}`);
  delete output.errors;
  // As Hardhat and Foundry write it: every source the compiler read is in the input.
  for (const [path, r] of Object.entries(read)) if (r.contents !== undefined) input.sources[path] = { content: r.contents };
  return { input, output };
}

const solcVersion = solc.version().replace(/\+.*/, '');
const solcLongVersion = solc.version().replace(/\.Emscripten\.clang$/, '');

function idOf(input) {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
}

/// Writes one compilation as `format` writes it; returns the path of the file the manifest names.
function writeBuildInfo(dir, format, { input, output }, files) {
  const id = idOf(input);
  if (format === 'hardhat2') {
    const path = `${dir}/artifacts/build-info/${id}.json`;
    files[path] = { _format: 'hh-sol-build-info-1', id, solcVersion, solcLongVersion, input, output };
    return path;
  }
  if (format === 'hardhat3') {
    const path = `${dir}/artifacts/build-info/solc-0_8_28-${id}.json`;
    files[path] = { _format: 'hh3-sol-build-info-1', id: `solc-0_8_28-${id}`, solcVersion, solcLongVersion, userSourceNameMap: {}, input };
    files[path.replace(/\.json$/, '.output.json')] = { _format: 'hh3-sol-build-info-output-1', id: `solc-0_8_28-${id}`, output };
    return path;
  }
  if (format === 'foundry') {
    const path = `${dir}/out/build-info/${id}.json`;
    const source_id_to_path = Object.fromEntries(Object.entries(output.sources).map(([p, s]) => [String(s.id), p]));
    files[path] = { id, source_id_to_path, language: 'Solidity', solcVersion, solcLongVersion, input, output };
    return path;
  }
  throw new Error(format);
}

/// upgrades-core's verdict for (previous, next): its extraction and its report with default options.
function libraryVerdict(prev, next, sources, contract) {
  const layoutOf = ({ input, output }, source) => {
    const deref = astDereferencer(output);
    const decodeSrc = solcInputOutputDecoder(input, output);
    const def = [...findAll('ContractDefinition', output.sources[source].ast)].find(c => c.name === contract);
    return extractStorageLayout(def, decodeSrc, deref, output.contracts[source][contract].storageLayout);
  };
  try {
    const report = getStorageUpgradeReport(layoutOf(prev, sources[0]), layoutOf(next, sources[1]), withValidationDefaults({}));
    return { compatible: report.pass, errors: report.ops.map(o => o.kind), explain: report.pass ? '' : report.explain(false) };
  } catch (e) {
    return { compatible: false, errors: [], threw: String(e.message) };
  }
}

const PRAGMA = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const C = body => `${PRAGMA}contract Vault {\n${body}\n}\n`;

// [name, previous source, next source, formats?]; the contract is `Vault` in src/Vault.sol unless given.
const CASES = [
  ['append', C('uint256 a;\naddress owner;'), C('uint256 a;\naddress owner;\nuint256 fee;')],
  ['append-foundry', C('uint256 a;\naddress owner;'), C('uint256 a;\naddress owner;\nuint256 fee;'), ['foundry', 'foundry']],
  ['append-hardhat3', C('uint256 a;\naddress owner;'), C('uint256 a;\naddress owner;\nuint256 fee;'), ['hardhat3', 'hardhat3']],
  ['insert', C('uint256 a;\naddress owner;'), C('uint256 a;\nuint256 fee;\naddress owner;')],
  ['insert-packed', C('uint128 a;\naddress owner;'), C('uint128 a;\nuint64 fee;\naddress owner;')],
  ['delete', C('uint256 a;\naddress owner;\nuint256 fee;'), C('uint256 a;\nuint256 fee;')],
  ['delete-last', C('uint256 a;\naddress owner;'), C('uint256 a;')],
  ['reorder', C('uint256 a;\naddress owner;\nbool paused;'), C('uint256 a;\nbool paused;\naddress owner;')],
  ['widen-uint128', C('uint128 a;\nuint128 b;'), C('uint256 a;\nuint128 b;')],
  ['bytes32-to-uint256', C('bytes32 a;'), C('uint256 a;')],
  ['retyped-from', C('bytes32 a;'), C('/// @custom:oz-retyped-from bytes32\nuint256 a;')],
  ['retyped-from-wrong', C('bytes32 a;'), C('/// @custom:oz-retyped-from uint128\nuint256 a;')],
  ['retyped-from-resize', C('uint128 a;\nuint128 b;'), C('/// @custom:oz-retyped-from uint128\nuint256 a;\nuint128 b;')],
  ['rename', C('uint256 a;\naddress owner;'), C('uint256 a;\naddress admin;')],
  ['rename-annotated', C('uint256 a;\naddress owner;'), C('uint256 a;\n/// @custom:oz-renamed-from owner\naddress admin;')],
  ['rename-annotated-wrong', C('uint256 a;\naddress owner;'), C('uint256 a;\n/// @custom:oz-renamed-from boss\naddress admin;')],
  ['replace', C('uint256 a;\naddress owner;'), C('uint256 a;\nuint256 fee;')],
  ['address-to-contract', C('address token;'), C('Vault token;')],
  ['gap-shrunk', C('uint256 a;\nuint256[49] __gap;'), C('uint256 a;\nuint256 b;\nuint256[48] __gap;')],
  ['gap-shrunk-two', C('uint256 a;\nuint256[49] __gap;'), C('uint256 a;\nuint128 b;\nuint128 c;\naddress d;\nuint256[47] __gap;')],
  ['gap-not-shrunk', C('uint256 a;\nuint256[49] __gap;'), C('uint256 a;\nuint256 b;\nuint256[49] __gap;')],
  ['gap-shrunk-wrong', C('uint256 a;\nuint256[49] __gap;'), C('uint256 a;\nuint256 b;\nuint256[47] __gap;')],
  ['gap-finished', C('uint256 a;\nuint256[2] __gap;'), C('uint256 a;\nuint256 b;\nuint256 c;')],
  ['gap-in-base', `${PRAGMA}contract Base {\nuint256 x;\nuint256[49] __gap;\n}\ncontract Vault is Base {\nuint256 y;\n}\n`, `${PRAGMA}contract Base {\nuint256 x;\nuint256 z;\nuint256[48] __gap;\n}\ncontract Vault is Base {\nuint256 y;\n}\n`],
  ['gap-in-base-not-shrunk', `${PRAGMA}contract Base {\nuint256 x;\nuint256[49] __gap;\n}\ncontract Vault is Base {\nuint256 y;\n}\n`, `${PRAGMA}contract Base {\nuint256 x;\nuint256 z;\nuint256[49] __gap;\n}\ncontract Vault is Base {\nuint256 y;\n}\n`],
  ['struct-in-mapping-append', C('struct P { uint256 a; uint256 b; }\nmapping(address => P) ps;\nuint256 z;'), C('struct P { uint256 a; uint256 b; uint256 c; }\nmapping(address => P) ps;\nuint256 z;')],
  ['struct-in-mapping-insert', C('struct P { uint256 a; uint256 b; }\nmapping(address => P) ps;'), C('struct P { uint256 a; uint256 c; uint256 b; }\nmapping(address => P) ps;')],
  ['struct-in-array-append', C('struct P { uint256 a; uint256 b; }\nP[] ps;'), C('struct P { uint256 a; uint256 b; uint256 c; }\nP[] ps;')],
  ['struct-in-mapping-array-append', C('struct P { uint256 a; }\nmapping(address => P[]) ps;'), C('struct P { uint256 a; uint256 b; }\nmapping(address => P[]) ps;')],
  ['struct-direct-append', C('struct P { uint256 a; }\nP p;\nuint256 z;'), C('struct P { uint256 a; uint256 b; }\nP p;\nuint256 z;')],
  ['struct-member-retype', C('struct P { uint128 a; uint128 b; }\nmapping(address => P) ps;'), C('struct P { uint256 a; uint128 b; }\nmapping(address => P) ps;')],
  ['enum-grow', C('enum S { A, B }\nS s;\nuint8 x;'), C('enum S { A, B, C }\nS s;\nuint8 x;')],
  ['enum-reorder', C('enum S { A, B, C }\nS s;'), C('enum S { B, A, C }\nS s;')],
  ['enum-rename', C('enum S { A, B }\nS s;'), C('enum S { A, Bee }\nS s;')],
  ['enum-insert', C('enum S { A, B }\nS s;'), C('enum S { A, X, B }\nS s;')],
  ['mapping-key-change', C('mapping(address => uint256) m;'), C('mapping(uint256 => uint256) m;')],
  ['mapping-value-widen', C('mapping(address => uint128) m;'), C('mapping(address => uint256) m;')],
  ['fixed-array-grow', C('uint256[2] xs;\nuint256 z;'), C('uint256[3] xs;\nuint256 z;')],
  ['fixed-array-shrink', C('uint256[3] xs;\nuint256 z;'), C('uint256[2] xs;\nuint256 z;')],
  ['fixed-array-in-mapping-grow', C('mapping(address => uint256[2]) m;'), C('mapping(address => uint256[3]) m;')],
  ['dynamic-to-fixed', C('uint256[] xs;'), C('uint256[1] xs;')],
  ['string-to-bytes', C('string s;'), C('bytes s;')],
  ['udvt-same', C('type Price is uint128;\nPrice p;'), C('type Amount is uint128;\nAmount p;')],
  ['udvt-resize', C('type Price is uint128;\nPrice p;'), C('type Price is uint256;\nPrice p;')],
  ['function-visibility', C('function (uint256) internal f;'), C('function (uint256) external g;')],
  ['inheritance-order', `${PRAGMA}contract A { uint256 a; }\ncontract B { uint256 b; }\ncontract Vault is A, B { uint256 c; }\n`, `${PRAGMA}contract A { uint256 a; }\ncontract B { uint256 b; }\ncontract Vault is B, A { uint256 c; }\n`],
  ['recursive-struct', C('struct N { uint256 v; mapping(uint256 => N) next; }\nN root;'), C('struct N { uint256 v; mapping(uint256 => N) next; }\nN root;\nuint256 z;')],
  ...namespaceCases(),
];

function ns(id, members, extra = '') {
  return `/// @custom:storage-location erc7201:${id}\nstruct S_${id.replace(/\W/g, '_')} { ${members} }\n${extra}`;
}

function namespaceCases() {
  const V = body => `${PRAGMA}contract Vault {\n${body}\nuint256 z;\n}\n`;
  return [
    ['namespace-append', V(ns('vault.main', 'uint256 a; uint256 b;')), V(ns('vault.main', 'uint256 a; uint256 b; uint256 c;'))],
    ['namespace-insert', V(ns('vault.main', 'uint256 a; uint256 b;')), V(ns('vault.main', 'uint256 a; uint256 c; uint256 b;'))],
    ['namespace-retype', V(ns('vault.main', 'uint128 a;')), V(ns('vault.main', 'uint256 a;'))],
    ['namespace-add', V(ns('vault.main', 'uint256 a;')), V(ns('vault.main', 'uint256 a;') + ns('vault.extra', 'address x;'))],
    ['namespace-delete', V(ns('vault.main', 'uint256 a;') + ns('vault.extra', 'address x;')), V(ns('vault.main', 'uint256 a;'))],
    ['namespace-duplicate', V(ns('vault.main', 'uint256 a;')), `${PRAGMA}contract Base {\n${ns('vault.main', 'uint256 a;')}}\ncontract Vault is Base {\n/// @custom:storage-location erc7201:vault.main\nstruct T { uint256 b; }\nuint256 z;\n}\n`],
  ];
}

const OZ_V1 = `${PRAGMA}
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

contract Vault is Initializable, ERC20Upgradeable, OwnableUpgradeable, UUPSUpgradeable {
    uint256 public cap;
    %EXTRA%
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() { _disableInitializers(); }
    function initialize(address owner_) external initializer {
        __ERC20_init("Vault Share", "VS");
        __Ownable_init(owner_);
        __UUPSUpgradeable_init();
    }
    function _authorizeUpgrade(address) internal override onlyOwner {}
}
`;

const OZ_CASES = [
  // Real OpenZeppelin v5: the previous from Foundry, the next from Hardhat 3.
  ['oz-v5-uups-append', OZ_V1.replace('%EXTRA%', ''), OZ_V1.replace('%EXTRA%', 'uint256 public fee;'), ['foundry', 'hardhat3']],
  ['oz-v5-uups-insert', OZ_V1.replace('%EXTRA%', ''), OZ_V1.replace('uint256 public cap;\n    %EXTRA%', 'uint256 public fee;\n    uint256 public cap;'), ['foundry', 'hardhat2']],
];

const files = {};
const cases = [];
const compiled = new Map();
for (const [name, prev, next, formats = ['hardhat2', 'hardhat2']] of [...CASES, ...OZ_CASES]) {
  const source = formats[0] === 'foundry' ? 'src/Vault.sol' : formats[0] === 'hardhat3' ? 'project/contracts/Vault.sol' : 'contracts/Vault.sol';
  const nextSource = formats[1] === 'foundry' ? 'src/Vault.sol' : formats[1] === 'hardhat3' ? 'project/contracts/Vault.sol' : 'contracts/Vault.sol';
  const a = compile(source, prev, 'Vault');
  const b = compile(nextSource, next, 'Vault');
  const verdict = libraryVerdict(a, b, [source, nextSource], 'Vault');
  // OZ builds share one previous compilation: write it once.
  const key = formats[0] + prev;
  let previous = compiled.get(key);
  if (!previous) {
    previous = writeBuildInfo(name.startsWith('oz-') ? 'oz-v5' : name, formats[0], a, files);
    compiled.set(key, previous);
  }
  const nextPath = writeBuildInfo(name, formats[1], b, files);
  cases.push({ name, previous: `${previous}#${source}:Vault`, next: `${nextPath}#${nextSource}:Vault`, ...verdict });
  console.error(`${name}: ${verdict.compatible ? 'compatible' : 'incompatible'} ${verdict.errors.join(',')}${verdict.threw ? ` threw: ${verdict.threw}` : ''}`);
}
files['cases.json'] = { generator: 'examples/generator/layout.mjs', upgradesCore: coreVersion, solc: solcLongVersion, cases };

let changed = 0;
if (!check) rmSync(OUT, { recursive: true, force: true });
for (const [path, value] of Object.entries(files)) {
  const full = join(OUT, path);
  const text = path === 'cases.json' ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value);
  if (check) {
    if (!existsSync(full) || readFileSync(full, 'utf8') !== text) {
      console.error(`would change: ${path}`);
      changed++;
    }
  } else {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}
if (check && changed) process.exit(1);
