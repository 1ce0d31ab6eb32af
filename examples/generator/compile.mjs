// Compiles the contracts of the effects-* examples with the official compiler
// build on npm (solc, pinned in the root package.json) through standard JSON:
// one input, fixed settings, metadata hash on. Writes build/solc.json:
//   { solcVersion, settings, main: <standard-JSON output>, rebuilt: <output> }
// `rebuilt` compiles LendingMarket.sol once more with one comment line added:
// the same code, different metadata (effects-code-metadata).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'package.json'));
const solc = require('solc');

export const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: {
    '*': {
      '*': [
        'abi',
        'metadata',
        'evm.bytecode.object',
        'evm.deployedBytecode.object',
        'evm.deployedBytecode.immutableReferences',
      ],
    },
  },
};

/// Our sources, under the source unit name `src/<file>`.
const OURS = [
  'Vault.sol',
  'StrategyRouter.sol',
  'OwnableSlot.sol',
  'PoolRegistry.sol',
  'RewardsDistributor.sol',
  'StakingPool.sol',
  'LendingMarket.sol',
  'BatchExecutor.sol',
  'FreezeGuard.sol',
];

/// The library contracts the examples deploy, as npm ships them.
const LIBRARY = [
  '@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol',
  '@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol',
  '@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol',
  '@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol',
  '@safe-global/safe-contracts/contracts/Safe.sol',
  '@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol',
  '@safe-global/safe-contracts/contracts/libraries/MultiSendCallOnly.sol',
  '@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol',
];

function readSource(unit) {
  if (unit.startsWith('src/')) return readFileSync(join(here, 'contracts', unit.slice(4)), 'utf8');
  return readFileSync(join(root, 'node_modules', unit), 'utf8');
}

function compile(sources) {
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const findImports = (unit) => {
    try {
      return { contents: readSource(unit) };
    } catch (e) {
      return { error: `${unit}: ${e.message}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) {
    throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  }
  delete output.errors; // warnings only; not part of any artifact
  return output;
}

export function compileAll() {
  const sources = {};
  for (const f of OURS) sources[`src/${f}`] = { content: readSource(`src/${f}`) };
  for (const unit of LIBRARY) sources[unit] = { content: readSource(unit) };
  const main = compile(sources);
  const rebuiltSource = readSource('src/LendingMarket.sol') + '// rebuilt from a copy of the reviewed source\n';
  const rebuilt = compile({ 'src/LendingMarket.sol': { content: rebuiltSource } });
  return { solcVersion: solc.version(), settings: SETTINGS, main, rebuilt };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] || join(here, 'build', 'solc.json');
  mkdirSync(dirname(out), { recursive: true });
  const t0 = Date.now();
  const result = compileAll();
  writeFileSync(out, JSON.stringify(result));
  console.log(`solc ${result.solcVersion}: ${Object.keys(result.main.contracts).length} source units in ${Date.now() - t0} ms -> ${out}`);
}
