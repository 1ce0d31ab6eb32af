// The build infos of bench/layout.rs: a real OpenZeppelin v5 token (UUPS,
// ERC20 with Permit, Votes, Pausable, AccessControl) compiled with solc from
// npm as a project's whole compilation (its governance contracts beside it,
// as a Hardhat or Foundry build info holds every source of the job), with the
// ASTs of every source: about 3 MB per side. The previous side is written as
// Foundry writes it, the next (one variable appended) as Hardhat 2 does.
//
//   node bench/layout-fixture.mjs [DIR]   # default target/bench-layout
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const solc = require('solc');
const out = process.argv[2] || join(root, 'target', 'bench-layout');

const OZ = '@openzeppelin/contracts-upgradeable';
const token = (extra) => `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Initializable} from "${OZ}/proxy/utils/Initializable.sol";
import {ERC20Upgradeable} from "${OZ}/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from "${OZ}/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20VotesUpgradeable} from "${OZ}/token/ERC20/extensions/ERC20VotesUpgradeable.sol";
import {ERC20PausableUpgradeable} from "${OZ}/token/ERC20/extensions/ERC20PausableUpgradeable.sol";
import {AccessControlUpgradeable} from "${OZ}/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "${OZ}/proxy/utils/UUPSUpgradeable.sol";
import {NoncesUpgradeable} from "${OZ}/utils/NoncesUpgradeable.sol";
// The rest of the project's compilation job (only their ASTs reach the build info's output).
import {GovernorUpgradeable} from "${OZ}/governance/GovernorUpgradeable.sol";
import {GovernorCountingSimpleUpgradeable} from "${OZ}/governance/extensions/GovernorCountingSimpleUpgradeable.sol";
import {GovernorVotesQuorumFractionUpgradeable} from "${OZ}/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {GovernorTimelockControlUpgradeable} from "${OZ}/governance/extensions/GovernorTimelockControlUpgradeable.sol";
import {TimelockControllerUpgradeable} from "${OZ}/governance/TimelockControllerUpgradeable.sol";
import {ERC4626Upgradeable} from "${OZ}/token/ERC20/extensions/ERC4626Upgradeable.sol";
import {ERC721Upgradeable} from "${OZ}/token/ERC721/ERC721Upgradeable.sol";
import {ERC1155Upgradeable} from "${OZ}/token/ERC1155/ERC1155Upgradeable.sol";

contract Vault is Initializable, ERC20Upgradeable, ERC20PermitUpgradeable, ERC20VotesUpgradeable, ERC20PausableUpgradeable, AccessControlUpgradeable, UUPSUpgradeable {
    uint256 public cap;
    ${extra}
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() { _disableInitializers(); }
    function initialize(address admin) external initializer {
        __ERC20_init("Vault Share", "VS");
        __ERC20Permit_init("Vault Share");
        __ERC20Votes_init();
        __ERC20Pausable_init();
        __AccessControl_init();
        __UUPSUpgradeable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
    function _update(address from, address to, uint256 value) internal override(ERC20Upgradeable, ERC20VotesUpgradeable, ERC20PausableUpgradeable) { super._update(from, to, value); }
    function nonces(address owner) public view override(ERC20PermitUpgradeable, NoncesUpgradeable) returns (uint256) { return super.nonces(owner); }
}
`;

function compile(source, text) {
  const input = {
    language: 'Solidity',
    sources: { [source]: { content: text } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '': ['ast'] }, [source]: { Vault: ['abi', 'storageLayout', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences'] } },
    },
  };
  const read = {};
  const find = (p) => (existsSync(join(root, 'node_modules', p)) ? { contents: readFileSync(join(root, 'node_modules', p), 'utf8') } : { error: `not found: ${p}` });
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: (p) => (read[p] = find(p)) }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  delete output.errors;
  for (const [p, r] of Object.entries(read)) if (r.contents !== undefined) input.sources[p] = { content: r.contents };
  return { input, output };
}

const solcVersion = solc.version().replace(/\+.*/, '');
const id = (input) => createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
mkdirSync(out, { recursive: true });
const prev = compile('src/Vault.sol', token(''));
const next = compile('contracts/Vault.sol', token('uint256 public fee;'));
const files = {
  'previous.json': { id: id(prev.input), language: 'Solidity', solcVersion, input: prev.input, output: prev.output },
  'next.json': { _format: 'hh-sol-build-info-1', id: id(next.input), solcVersion, input: next.input, output: next.output },
};
const refs = { previous: 'previous.json#src/Vault.sol:Vault', next: 'next.json#contracts/Vault.sol:Vault' };
for (const [name, v] of Object.entries(files)) {
  const text = JSON.stringify(v);
  writeFileSync(join(out, name), text);
  console.error(`${join(out, name)}: ${(text.length / 1e6).toFixed(2)} MB, ${Object.keys(v.output.sources).length} sources with ASTs`);
}
writeFileSync(join(out, 'refs.json'), `${JSON.stringify(refs, null, 2)}\n`);
