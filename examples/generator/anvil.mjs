// `npm run examples:anvil` (and `npm run examples:anvil -- --check`): the
// anvil-* examples and tests/fixtures/anvil/, made on a real node (SPEC v1.2 §9).
//
// Starts anvil 1.7.1 from npm (tests/support/anvil.mjs: a local chain, never a
// fork), deploys OpenZeppelin 5.0.2 proxies (a TransparentUpgradeableProxy with
// its ProxyAdmin, a UUPS ERC1967Proxy) owned by a Safe 1.4.1 (two owners,
// threshold 2; Safe singleton + SafeProxyFactory + CompatibilityFallbackHandler
// + MultiSendCallOnly, all compiled with solc 0.8.28 from npm), mines, and at
// the last mined block N records what a node answers about the release: the
// header (`cast block N --raw`), `cast proof` for every account and slot the
// release's execTransaction touches (from `debug_traceCall` with the
// prestateTracer, plus the coinbase, the Safe's owner list and threshold, the
// proxies' ERC-1967 slots and the new and previous implementations),
// `cast code`, and the prestateTracer diff of the same call. From those raw
// answers it assembles `upgrade-gate/witness/v1` files and the example folders.
//
// Flags: --check (write into a temporary folder and compare byte for byte with
// the committed files; exit 1 on any difference), --out DIR (write the
// examples/ and tests/fixtures/ trees under DIR instead of the repository).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// @noble/hashes and @noble/curves (pinned devDependencies) are imported by
// generate(), after `npm run` made sure node_modules is there.
let keccak_256;
let secp256k1;
async function loadNoble() {
  ({ keccak_256 } = await import('@noble/hashes/sha3'));
  ({ secp256k1 } = await import('@noble/curves/secp256k1'));
}
import { run } from '../../scripts/lib.mjs';
import { cast, FOUNDRY_VERSION, root, rpc, rpcRaw, startAnvil } from '../../tests/support/anvil.mjs';

const here = join(root, 'examples', 'generator');
const require = createRequire(join(root, 'package.json'));

// ---------------------------------------------------------------------------
// Fixed inputs
// ---------------------------------------------------------------------------

const CHAIN_ID = 31337;
const HARDFORK = 'prague';
/// 2026-11-23T08:00:00Z: anvil's genesis timestamp; every later block is 12 s after its parent.
const GENESIS_TIMESTAMP = 1795420800;
const BLOCK_INTERVAL = 12;
/// As the other examples: the evaluation time and the manifest's dates.
const NOW = '2026-11-23T10:00:00Z';
const PROPOSED_AT = '2026-11-20T12:00:00Z';
const NOT_BEFORE = '2026-11-22T12:00:00Z';
const NOT_AFTER = '2030-01-01T00:00:00Z';
const TAR_MTIME = 1795168800;

/// Safe MultiSendCallOnly 1.4.1's canonical address (default delegatecall allowlist, SPEC §2.4).
const MULTISEND_CALL_ONLY = '0x9641d764fc13c8B624c04430C7356C1C7C8102e2';
const ZERO = '0x0000000000000000000000000000000000000000';
/// SPEC §2.4's default delegatecall allowlist.
const DEFAULT_ALLOWLIST = [
  '0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761', '0x998739BFdAAdde7C933B942a68053933098f9EDa',
  '0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526', '0x218543288004CD07832472D464648173c77D7eB7',
  '0x40A2aCCbd92BCA938b02010E17A5b8929b49130D', '0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B',
  '0x9641d764fc13c8B624c04430C7356C1C7C8102e2', '0xA83c336B20401Af773B6219BA5027174338D1836',
];
const EMPTY_CODE_HASH = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
const SLOT = {
  implementation: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc',
  admin: '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103',
  ownersSentinel: '0xe90b7bceb6e7df5418fb78d8ee546e97c83a08bbccc01a0644d599ccd2a7c2e0',
  threshold: word(4),
  nonce: word(5),
};

/// The Anvil/Hardhat default accounts (anvil's fixed mnemonic): public test keys, never for funds.
const KEYS = [
  'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
];
const PROPOSER = 0;
const APPROVERS = [1, 2, 3];
const SIGNING_APPROVERS = [1, 2];
/// Safe owners (threshold 2) and who deploys (anvil's account #9, unlocked).
const SAFE_OWNERS = [1, 2];
const HISTORY_SENDER = 4;
const DEPLOYER = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720';

// ---------------------------------------------------------------------------
// Bytes, hashes, JSON
// ---------------------------------------------------------------------------

function hexToBytes(h) {
  const s = h.startsWith('0x') ? h.slice(2) : h;
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
function bytesToHex(b) {
  return `0x${Buffer.from(b).toString('hex')}`;
}
function keccak(hexOrBytes) {
  return bytesToHex(keccak_256(typeof hexOrBytes === 'string' ? hexToBytes(hexOrBytes) : hexOrBytes));
}
function word(n) {
  return `0x${BigInt(n).toString(16).padStart(64, '0')}`;
}
function addrWord(a) {
  return `0x${a.slice(2).toLowerCase().padStart(64, '0')}`;
}
function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
function checksum(a) {
  const lower = a.toLowerCase().replace(/^0x/, '');
  const h = Buffer.from(keccak_256(Buffer.from(lower, 'ascii'))).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(h[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}
/// Pretty JSON with sorted keys and a final newline (as examples/generator writes it).
function pretty(v) {
  return Buffer.from(`${JSON.stringify(sortKeys(v), null, 2)}\n`);
}
/// SPEC §2: the manifest digest is SHA-256 of its RFC 8785 form; for documents of
/// strings, integers, objects and arrays that is compact JSON with sorted keys.
function manifestDigest(manifest) {
  return sha256(Buffer.from(JSON.stringify(sortKeys(manifest))));
}
function listingHash(files) {
  let listing = '';
  for (const path of Object.keys(files).sort()) listing += `${createHash('sha256').update(files[path]).digest('hex')}  ${path}\n`;
  return sha256(Buffer.from(listing));
}

function account(i) {
  const pub = secp256k1.getPublicKey(hexToBytes(KEYS[i]), false);
  return checksum(bytesToHex(keccak_256(pub.slice(1)).slice(12)));
}
/// 65 bytes r ‖ s ‖ v (27/28) over a 32-byte hash; RFC 6979 nonces, low s.
function signHash(i, hash) {
  const sig = secp256k1.sign(hexToBytes(hash), hexToBytes(KEYS[i]), { lowS: true });
  return `${sig.r.toString(16).padStart(64, '0')}${sig.s.toString(16).padStart(64, '0')}${(27 + sig.recovery).toString(16)}`;
}
function personalSign(i, message) {
  const m = Buffer.from(message, 'utf8');
  const hash = keccak(Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${m.length}`), m]));
  return `0x${signHash(i, hash)}`;
}

/// A ustar archive with a fixed mtime (as tests/examples.rs and the revm generator write it).
function tar(files) {
  const blocks = [];
  for (const path of Object.keys(files).sort()) {
    const data = files[path];
    const h = Buffer.alloc(512);
    h.write(path, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write(`${TAR_MTIME.toString(8).padStart(11, '0')}\0`, 136);
    h.fill(' ', 148, 156);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------------------
// Compilation (solc from npm, the revm generator's settings)
// ---------------------------------------------------------------------------

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: { '*': { '*': ['abi', 'metadata', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences'] } },
};
const OURS = ['Vault.sol', 'StakingPool.sol', 'OwnableSlot.sol', 'PoolRegistry.sol'];
/// Compiled but not part of any package: the Bybit-style look-alike.
const OTHERS = ['BatchExecutor.sol'];
const LIBRARY = [
  '@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol',
  '@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol',
  '@safe-global/safe-contracts/contracts/Safe.sol',
  '@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol',
  '@safe-global/safe-contracts/contracts/libraries/MultiSendCallOnly.sol',
  '@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol',
];
function readSource(unit) {
  if (unit.startsWith('src/')) return readFileSync(join(here, 'contracts', unit.slice(4)), 'utf8');
  return readFileSync(join(root, 'node_modules', unit), 'utf8');
}
function compile() {
  const solc = require('solc');
  const sources = {};
  for (const f of [...OURS, ...OTHERS]) sources[`src/${f}`] = { content: readSource(`src/${f}`) };
  for (const unit of LIBRARY) sources[unit] = { content: readSource(unit) };
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: (u) => { try { return { contents: readSource(u) }; } catch (e) { return { error: e.message }; } } }));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  delete out.errors;
  return { version: solc.version(), out };
}

// ---------------------------------------------------------------------------
// The chain
// ---------------------------------------------------------------------------

class Chain {
  constructor(node, solc) {
    this.node = node;
    this.url = node.url;
    this.solc = solc;
  }
  contract(unit, name) {
    const c = this.solc.out.contracts[unit]?.[name];
    if (!c) throw new Error(`no contract ${unit}:${name}`);
    return c;
  }
  async send(tx) {
    let hash;
    try {
      hash = await rpc(this.url, 'eth_sendTransaction', [{ from: DEPLOYER, ...tx }]);
    } catch (e) {
      throw new Error(`${e.message}: ${JSON.stringify(tx).slice(0, 300)}`);
    }
    let receipt = null;
    for (let i = 0; i < 200 && !receipt; i++) {
      receipt = await rpc(this.url, 'eth_getTransactionReceipt', [hash]);
      if (!receipt) await new Promise((r) => setTimeout(r, 10));
    }
    if (!receipt || receipt.status !== "0x1") {
      const why = await rpc(this.url, "eth_call", [{ from: DEPLOYER, ...tx }, "latest"]).catch((e) => e.message);
      throw new Error(`transaction ${hash} failed (receipt ${receipt ? receipt.status : "none"}; eth_call: ${why}): ${JSON.stringify(tx).slice(0, 200)}`);
    }
    return receipt;
  }
  async deploy(unit, name, ctorArgs = '0x') {
    const bytecode = `0x${this.contract(unit, name).evm.bytecode.object}${ctorArgs.replace(/^0x/, '')}`;
    return this.deployCode(bytecode);
  }
  async deployCode(bytecode) {
    const r = await this.send({ data: bytecode });
    return checksum(r.contractAddress);
  }
  async call(to, data, block = 'latest', from = DEPLOYER) {
    return rpc(this.url, 'eth_call', [{ from, to, data }, block]);
  }
  async storage(at, slot, block = 'latest') {
    return rpc(this.url, 'eth_getStorageAt', [at, slot, block]);
  }
  async code(at, block = 'latest') {
    return rpc(this.url, 'eth_getCode', [at, block]);
  }
}

/// ABI encoding by cast (`cast calldata`, `cast abi-encode`).
function calldata(sig, ...args) {
  return cast(['calldata', sig, ...args.map(String)]);
}
function abiEncode(sig, ...args) {
  return cast(['abi-encode', sig, ...args.map(String)]);
}

/// Safe's MultiSend packing: operation ‖ to ‖ value ‖ length ‖ data per call.
function pack(calls) {
  return `0x${calls.map((c) => `00${c.to.slice(2).toLowerCase()}${'0'.repeat(64)}${((c.data.length - 2) / 2).toString(16).padStart(64, '0')}${c.data.slice(2)}`).join('')}`;
}

/// Creation code that returns `runtime` as the contract's code:
/// PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN.
function copier(runtimeHex) {
  const len = (runtimeHex.length - 2) / 2;
  return `0x61${len.toString(16).padStart(4, '0')}80600c6000396000f3${runtimeHex.slice(2)}`;
}

/// The 0-based offset of the first `PUSH1 0x32` (MAX_WITHDRAWAL_FEE_BPS = 50) that starts an instruction.
function feePushOffset(runtimeHex) {
  const code = hexToBytes(runtimeHex);
  for (let i = 0; i < code.length; i++) {
    const op = code[i];
    if (op === 0x60 && code[i + 1] === 0x32) return i + 1;
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  throw new Error('VaultV2 has no PUSH1 0x32');
}

const SAFE_TX_FIELDS = 'execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)';

async function safeTxHash(chain, safe, to, data, operation, nonce, block = 'latest') {
  const d = calldata('getTransactionHash(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,uint256)', to, 0, data, operation, 0, 0, 0, ZERO, ZERO, nonce);
  return chain.call(safe, d, block);
}

async function buildWorld(chain) {
  const c = chain;
  const SAFE = '@safe-global/safe-contracts/contracts';
  const singleton = await c.deploy(`${SAFE}/Safe.sol`, 'Safe');
  const factory = await c.deploy(`${SAFE}/proxies/SafeProxyFactory.sol`, 'SafeProxyFactory');
  const handler = await c.deploy(`${SAFE}/handler/CompatibilityFallbackHandler.sol`, 'CompatibilityFallbackHandler');
  const msco = await c.deploy(`${SAFE}/libraries/MultiSendCallOnly.sol`, 'MultiSendCallOnly');
  // The canonical MultiSendCallOnly 1.4.1 address holds this build of the same
  // source (the canonical one was built with solc 0.7.6), as in examples/generator.
  await rpc(c.url, 'anvil_setCode', [MULTISEND_CALL_ONLY, await c.code(msco)]);

  const owners = SAFE_OWNERS.map(account);
  const setup = calldata('setup(address[],uint256,address,bytes,address,address,uint256,address)', `[${owners.join(',')}]`, 2, ZERO, '0x', handler, ZERO, 0, ZERO);
  const create = calldata('createProxyWithNonce(address,bytes,uint256)', singleton, setup, 1);
  const safe = checksum(`0x${(await c.call(factory, create)).slice(26, 66)}`);
  await c.send({ to: factory, data: create });

  const TUP = '@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol';
  const vaultV1 = await c.deploy('src/Vault.sol', 'VaultV1');
  const vault = await c.deploy(TUP, 'TransparentUpgradeableProxy', abiEncode('f(address,address,bytes)', vaultV1, safe, '0x'));
  const proxyAdmin = checksum(`0x${(await c.storage(vault, SLOT.admin)).slice(26)}`);
  const vaultV2 = await c.deploy('src/Vault.sol', 'VaultV2');

  const registry = await c.deploy('src/PoolRegistry.sol', 'PoolRegistry');
  const poolV1 = await c.deploy('src/StakingPool.sol', 'StakingPoolV1');
  const pool = await c.deploy('@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol', 'ERC1967Proxy', abiEncode('f(address,bytes)', poolV1, calldata('initialize(address)', safe)));
  const poolV2 = await c.deploy('src/StakingPool.sol', 'StakingPoolV2', abiEncode('f(address,uint256)', registry, 500));

  // anvil-code-one-byte: VaultV2's runtime with MAX_WITHDRAWAL_FEE_BPS's
  // `PUSH1 0x32` (50 bps) made `PUSH1 0x00`, deployed by a plain copier.
  const vaultV2Runtime = await c.code(vaultV2);
  const patchedOffset = feePushOffset(vaultV2Runtime);
  const patched = hexToBytes(vaultV2Runtime);
  patched[patchedOffset] = 0x00;
  const vaultV2Patched = await c.deployCode(copier(bytesToHex(patched)));
  const fee = calldata('MAX_WITHDRAWAL_FEE_BPS()');
  if (BigInt(await c.call(vaultV2, fee)) !== 50n || BigInt(await c.call(vaultV2Patched, fee)) !== 0n) {
    throw new Error(`the byte at ${patchedOffset} is not MAX_WITHDRAWAL_FEE_BPS's 50`);
  }

  // anvil-bybit-forged-diff: a MultiSend look-alike that runs the batch, then
  // writes the Safe's slot 0 (its singleton), as behind the Feb 2025 Bybit theft.
  const implant = checksum(bytesToHex(keccak_256(Buffer.from('upgrade-gate example: attacker singleton')).slice(12)));
  const batchExecutor = await c.deploy('src/BatchExecutor.sol', 'BatchExecutor', abiEncode('f(address,address)', MULTISEND_CALL_ONLY, implant));

  // History: the Safe executes one earlier transaction (a call to itself
  // with no data), signed by both owners, sent by another account.
  const h0 = await safeTxHash(c, safe, safe, '0x', 0, 0);
  const sigs0 = `0x${[...SAFE_OWNERS].sort((a, b) => (account(a).toLowerCase() < account(b).toLowerCase() ? -1 : 1)).map((i) => signHash(i, h0)).join('')}`;
  await c.send({ from: account(HISTORY_SENDER), to: safe, data: calldata(SAFE_TX_FIELDS, safe, 0, '0x', 0, 0, 0, 0, ZERO, ZERO, sigs0) });
  // One empty block on top, so that N is not the block of the last transaction.
  await rpc(c.url, 'evm_mine', []);
  return { singleton, factory, handler, safe, owners, vault, proxyAdmin, vaultV1, vaultV2, registry, pool, poolV1, poolV2, vaultV2Patched, patchedOffset, batchExecutor, implant };
}

// ---------------------------------------------------------------------------
// One release, recorded at block N
// ---------------------------------------------------------------------------

/// The §9.4 Safe flow: the first `threshold` owners sign with v = 1; the lowest
/// sends; the others' approvedHashes entries are overridden to 1.
function safeFlow(owners, h) {
  const signers = [...owners].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  const signatures = `0x${signers.map((s) => `${addrWord(s).slice(2)}${'0'.repeat(64)}01`).join('')}`;
  const overrides = {};
  for (const q of signers.slice(1)) {
    const inner = keccak(`${addrWord(q)}${word(8).slice(2)}`);
    overrides[keccak(`${h}${inner.slice(2)}`)] = word(1);
  }
  return { sender: signers[0], signatures, overrides };
}

async function record(chain, world, N, { name, batch, delegateTo = MULTISEND_CALL_ONLY }) {
  const c = chain;
  const block = `0x${N.toString(16)}`;
  const data = calldata('multiSend(bytes)', pack(batch));
  const nonce = Number(BigInt(await c.storage(world.safe, SLOT.nonce, block)));
  const h = await safeTxHash(c, world.safe, delegateTo, data, 1, nonce, block);
  const owners = world.owners;
  const flow = safeFlow(owners, h);
  const execData = calldata(SAFE_TX_FIELDS, delegateTo, 0, data, 1, 0, 0, 0, ZERO, ZERO, flow.signatures);
  const call = { from: flow.sender, to: world.safe, value: '0', data: execData };
  const stateOverrides = { [world.safe]: { stateDiff: flow.overrides } };
  const txCall = { from: call.from, to: call.to, data: call.data };
  const traceOpts = (diffMode) => ({ tracer: 'prestateTracer', tracerConfig: { diffMode }, stateOverrides });
  const prestate = await rpc(c.url, 'debug_traceCall', [txCall, block, traceOpts(false)]);
  const diff = await rpc(c.url, 'debug_traceCall', [txCall, block, traceOpts(true)]);
  // The call must succeed: execTransaction returns true (a word 1).
  const ret = await rpc(c.url, 'eth_call', [txCall, block, stateOverrides]);
  if (BigInt(ret) !== 1n) throw new Error(`${name}: execTransaction returned ${ret}`);

  // Every account and slot to prove.
  const want = new Map();
  const add = (a, slots = []) => {
    const k = checksum(a);
    if (!want.has(k)) want.set(k, new Set());
    for (const s of slots) want.get(k).add(word(BigInt(s)));
  };
  const overridden = new Set(Object.keys(flow.overrides));
  for (const [a, acct] of Object.entries(prestate)) add(a, Object.keys(acct.storage || {}).filter((s) => !(checksum(a) === world.safe && overridden.has(word(BigInt(s))))));
  const header = await rpc(c.url, 'eth_getBlockByNumber', [block, false]);
  add(header.miner);
  // The Safe's owner list (owners[0x1], owners[o] for each owner), its threshold and nonce.
  const ownerSlot = (o) => keccak(`${addrWord(o)}${word(2).slice(2)}`);
  add(world.safe, [SLOT.ownersSentinel, SLOT.threshold, SLOT.nonce, ...owners.map(ownerSlot)]);
  for (const o of owners) add(o);
  // The proxies' ERC-1967 slots, the new and previous implementations.
  for (const t of batch.targets) {
    add(t.proxy, [SLOT.implementation, SLOT.admin]);
    add(t.implementation);
    add(t.previous);
  }
  const accounts = [...want.keys()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));

  // The raw answers, as cast prints them.
  const rpcUrl = ['--rpc-url', c.url];
  const raw = { commands: [], proofs: {}, codes: {} };
  raw.header = cast(['block', String(N), '--raw', ...rpcUrl]);
  raw.commands.push(`cast block ${N} --raw > header.rlp.hex`);
  raw.blockHash = cast(['block', String(N), '--field', 'hash', ...rpcUrl]);
  raw.commands.push(`cast block ${N} --field hash > block-hash.txt`);
  raw.block = header;
  // Headers N-1, N-2, N-3 (a witness's optional `ancestors`, for BLOCKHASH) and two answers
  // kept whole, JSON-RPC envelope and all, as the node sent them.
  raw.ancestors = [1, 2, 3].map((k) => cast(['block', String(N - k), '--raw', ...rpcUrl]));
  for (const k of [1, 2, 3]) raw.commands.push(`cast block ${N - k} --raw   # ancestors[${k - 1}]`);
  raw.envelopes = {
    'eth_getBlockByNumber.json': await rpcRaw(c.url, 'eth_getBlockByNumber', [block, false]),
    [`eth_getProof-${world.safe}.json`]: await rpcRaw(c.url, 'eth_getProof', [world.safe, [SLOT.threshold, SLOT.nonce], block]),
  };
  for (const a of accounts) {
    const slots = [...want.get(a)].sort();
    raw.proofs[a] = cast(['proof', a, ...slots, '--block', String(N), ...rpcUrl]);
    raw.commands.push(`cast proof ${a}${slots.map((s) => ` ${s}`).join('')} --block ${N} > proofs/${a}.json`);
  }
  const witnessAccounts = [];
  const codes = [];
  for (const a of accounts) {
    const p = JSON.parse(raw.proofs[a]);
    witnessAccounts.push(p);
    if (p.codeHash !== EMPTY_CODE_HASH && BigInt(p.codeHash) !== 0n) {
      raw.codes[a] = cast(['code', a, '--block', String(N), ...rpcUrl]);
      raw.commands.push(`cast code ${a} --block ${N} > codes/${a}.hex`);
      if (keccak(raw.codes[a]) !== p.codeHash) throw new Error(`${a}: code does not hash to its codeHash`);
      codes.push(raw.codes[a]);
    }
  }
  if (keccak(raw.header) !== raw.blockHash) throw new Error('the header RLP does not hash to the block hash');
  const witness = { schema: 'upgrade-gate/witness/v1', chainId: CHAIN_ID, hardfork: HARDFORK, header: raw.header, accounts: witnessAccounts, codes };
  return { N, block, nonce, h, data, batch, delegateTo, call, stateOverrides, prestate, diff, raw, witness, timestamp: Number(BigInt(header.timestamp)) };
}

// ---------------------------------------------------------------------------
// The example folders
// ---------------------------------------------------------------------------

const STOP_CONDITIONS = [
  { id: 'invariant-break', signal: 'totalAssets() != sum of balances after the upgrade block', response: 'immediate_rollback' },
  { id: 'oracle-drift', signal: 'oracle deviates > 2% from the reference feed for 10 min', response: 'contain_first' },
  { id: 'gas-regression', signal: 'deposit() gas +20% over the 7-day median', response: 'observe', observationWindowSeconds: 86400 },
];

function artifactOf(chain, unit, name) {
  const c = chain.contract(unit, name);
  return { abi: c.abi, metadata: c.metadata, evm: { bytecode: { object: c.evm.bytecode.object }, deployedBytecode: c.evm.deployedBytecode } };
}

function packageFiles(chain, title) {
  const files = {};
  let notes = `# ${title}\n\nBuilt with solc ${chain.solc.version}, standard JSON, optimizer 200 runs, evmVersion cancun, metadata hash ipfs.\n\n`;
  for (const [unit, name] of [['src/Vault.sol', 'VaultV2'], ['src/StakingPool.sol', 'StakingPoolV2']]) {
    files[`out/${name}.json`] = pretty(artifactOf(chain, unit, name));
    notes += `- \`out/${name}.json\`: \`${name}\` from \`${unit}\`\n`;
  }
  for (const f of OURS) files[`src/${f}`] = Buffer.from(readSource(`src/${f}`));
  files['RELEASE.md'] = Buffer.from(notes);
  return files;
}

function actionJson(a) {
  return { to: a.to, value: '0', data: a.data, operation: a.operation || 'call' };
}

function iso(ts) {
  return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

function verifyCommand(name) {
  const p = (f) => `examples/${name}/${f}`;
  return [
    'cargo run -q -- verify \\',
    `  --manifest ${p('manifest.json')} \\`,
    `  --release ${p('release.json')} \\`,
    `  --approvals ${p('approvals.json')} \\`,
    `  --policy ${p('policy.json')} \\`,
    `  --package-dir ${p('package')} \\`,
    `  --rollback-package ${p('rollback.tar')} \\`,
    `  --evidence ${p('evidence.json')} \\`,
    `  --witness ${p('witness.json')} \\`,
    `  --block-hash $(cat ${p('block-hash.txt')}) \\`,
    `  --now ${NOW}`,
  ].join('\n');
}

/**
 * One example folder. `rec` is the recorded release; `evidence` and `witness`
 * the (possibly edited) documents; `targets` the manifest's targets.
 */
function exampleFolder(chain, world, rec, { name, title, summary, rule, targets, evidence, witness, fail, pending = [], allowlist }) {
  const pkg = packageFiles(chain, title);
  const rollbackCalls = rec.rollback;
  const rollbackFiles = {
    'rollback/RUNBOOK.md': Buffer.from(`# Rollback: ${title}\n\nExecute \`rollback/actions.json\` (the previous implementations) through the same Safe, then confirm every target's ERC-1967 slot.\n`),
    'rollback/actions.json': pretty(rollbackCalls.map(actionJson)),
  };
  const rollbackTar = tar(rollbackFiles);
  const evidenceBytes = pretty(evidence);
  const action = { to: rec.delegateTo, value: '0', data: rec.data, operation: 'delegatecall' };
  const manifest = {
    schema: 'upgrade-gate/manifest/v1',
    title,
    chainId: CHAIN_ID,
    lane: 'standard_upgrade',
    proposedAt: PROPOSED_AT,
    package: { hash: listingHash(pkg), files: Object.keys(pkg).sort().map((path) => ({ path, hash: sha256(pkg[path]) })) },
    targets,
    actions: [action],
    timing: { notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
    simulation: {
      evidenceHash: sha256(evidenceBytes),
      packageHash: listingHash(pkg),
      actionsHash: keccak(pack(rec.batch)),
      result: 'success',
      simulatedAt: iso(rec.timestamp),
    },
    rollback: {
      package: { hash: sha256(rollbackTar) },
      actions: [{ to: MULTISEND_CALL_ONLY, value: '0', data: calldata('multiSend(bytes)', pack(rollbackCalls)), operation: 'delegatecall' }],
      owner: 'Protocol ops on-call (ops@protocol.example)',
      maxTimeToRollbackSeconds: 3600,
      stopConditions: STOP_CONDITIONS,
    },
    roles: {
      proposer: account(PROPOSER),
      approvers: APPROVERS.map(account),
      threshold: 2,
      executor: world.safe,
    },
  };
  const digest = manifestDigest(manifest);
  const release = {
    schema: 'upgrade-gate/release/v1',
    manifestDigest: digest,
    lane: 'standard_upgrade',
    safeTx: {
      safe: world.safe,
      chainId: CHAIN_ID,
      safeVersion: '1.4.1',
      to: rec.delegateTo,
      value: '0',
      data: rec.data,
      operation: 1,
      safeTxGas: '0',
      baseGas: '0',
      gasPrice: '0',
      gasToken: ZERO,
      refundReceiver: ZERO,
      nonce: rec.nonce,
      safeTxHash: rec.h,
    },
  };
  const approvals = {
    schema: 'upgrade-gate/approvals/v1',
    approvals: SIGNING_APPROVERS.map((i) => ({ approver: account(i), manifestDigest: digest, signature: personalSign(i, `upgrade-gate:approve:${digest}`) })),
  };
  const policy = {
    schema: 'upgrade-gate/policy/v1',
    require: ['package', 'rollbackPackage', 'evidence', 'stateDiff', 'proof'],
    hardforks: { [String(CHAIN_ID)]: HARDFORK },
    ...(allowlist ? { delegatecallAllowlist: allowlist } : {}),
  };
  const expected = { decision: fail.length ? 'reject' : pending.length ? 'hold' : 'release', now: NOW, fail: [...fail].sort(), pending: [...pending].sort() };
  const outcome = fail.length ? `**reject** (${fail.map((f) => `\`${f}\``).join(', ')} fail)` : '**release**';
  const readme = `# ${name}\n\n${summary} Expected: ${outcome}.\n\n${rule}\n\n`
    + `Generated by \`examples/generator/anvil.mjs\` (\`npm run examples:anvil\`) on anvil ${FOUNDRY_VERSION} from npm (chain ${CHAIN_ID}, hardfork ${HARDFORK}) `
    + `with contracts compiled by solc ${chain.solc.version}: \`witness.json\` is assembled from \`cast block ${rec.N} --raw\`, \`cast proof\` and \`cast code\` at block ${rec.N}; `
    + `\`evidence.json\`'s \`stateDiff\` is anvil's \`debug_traceCall\` with the prestateTracer in diff mode of the same \`execTransaction\` (the §9.4 Safe flow: `
    + `the lower owner sends, both sign with \`v = 1\`, the other owner's \`approvedHashes\` entry is overridden to 1); \`block-hash.txt\` is \`cast block ${rec.N} --field hash\`. `
    + `\`policy.json\` states that chain ${CHAIN_ID} executes as Ethereum at ${HARDFORK} (§9.1) and requires a proof. Do not edit by hand.\n\n\`\`\`sh\n${verifyCommand(name)}\n\`\`\`\n`;
  const files = {
    'README.md': Buffer.from(readme),
    'manifest.json': pretty(manifest),
    'release.json': pretty(release),
    'approvals.json': pretty(approvals),
    'policy.json': pretty(policy),
    'rollback.tar': rollbackTar,
    'evidence.json': evidenceBytes,
    'witness.json': pretty(witness),
    'block-hash.txt': Buffer.from(`${rec.raw.blockHash}\n`),
    'expected.json': pretty(expected),
  };
  for (const [p, b] of Object.entries(pkg)) files[`package/${p}`] = b;
  return { name, files };
}

function evidenceOf(rec, code) {
  return {
    schema: 'upgrade-gate/evidence/v1',
    chainId: CHAIN_ID,
    block: { number: rec.N, hash: rec.raw.blockHash },
    call: rec.call,
    stateOverrides: rec.stateOverrides,
    stateDiff: rec.diff,
    code,
  };
}

function fixtureFiles(rec) {
  const files = {
    'header.rlp.hex': Buffer.from(`${rec.raw.header}\n`),
    'block-hash.txt': Buffer.from(`${rec.raw.blockHash}\n`),
    'block.json': pretty(rec.raw.block),
    'trace-prestate.json': pretty(rec.prestate),
    'trace-diff.json': pretty(rec.diff),
    'call.json': pretty({ call: rec.call, stateOverrides: rec.stateOverrides, block: rec.N, safeTxHash: rec.h }),
    'commands.sh': Buffer.from(`# The cast commands whose output is in this folder (ETH_RPC_URL set to the anvil node).\n${rec.raw.commands.join('\n')}\n`),
    'witness.json': pretty(rec.witness),
    'ancestors.json': pretty(rec.raw.ancestors),
  };
  for (const [f, v] of Object.entries(rec.raw.envelopes)) files[`rpc/${f}`] = Buffer.from(`${JSON.stringify(v)}\n`);
  for (const [a, text] of Object.entries(rec.raw.proofs)) files[`proofs/${a}.json`] = Buffer.from(`${text}\n`);
  for (const [a, text] of Object.entries(rec.raw.codes)) files[`codes/${a}.hex`] = Buffer.from(`${text}\n`);
  return files;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

/**
 * Compiles, starts anvil, builds the chain and records the releases.
 * Returns `{cases, fixtures, N, world, solcVersion, timing}`; with
 * `{keep: true}` also `node` (the running anvil, at block N: the caller stops
 * it with `node.stop()`), e.g. to run `upgrade-gate witness --rpc` against it.
 */
export async function generate({ keep = false } = {}) {
  await loadNoble();
  const t0 = Date.now();
  const solc = compile();
  const tCompile = Date.now() - t0;
  const node = await startAnvil(['--chain-id', String(CHAIN_ID), '--hardfork', HARDFORK, '--timestamp', String(GENESIS_TIMESTAMP)]);
  try {
    await rpc(node.url, 'anvil_setBlockTimestampInterval', [BLOCK_INTERVAL]);
    const chain = new Chain(node, solc);
    const world = await buildWorld(chain);
    const N = Number(BigInt(await rpc(node.url, 'eth_blockNumber', [])));
    const upgrade = (implVault) => {
      const calls = [
        { to: world.proxyAdmin, data: calldata('upgradeAndCall(address,address,bytes)', world.vault, implVault, '0x') },
        { to: world.pool, data: calldata('upgradeToAndCall(address,bytes)', world.poolV2, '0x') },
      ];
      calls.targets = [
        { proxy: world.vault, implementation: implVault, previous: world.vaultV1 },
        { proxy: world.pool, implementation: world.poolV2, previous: world.poolV1 },
      ];
      return calls;
    };
    const rollback = [
      { to: world.proxyAdmin, data: calldata('upgradeAndCall(address,address,bytes)', world.vault, world.vaultV1, '0x') },
      { to: world.pool, data: calldata('upgradeToAndCall(address,bytes)', world.poolV1, '0x') },
    ];
    const honest = await record(chain, world, N, { name: 'anvil-safe-multisend', batch: upgrade(world.vaultV2) });
    const tampered = await record(chain, world, N, { name: 'anvil-code-one-byte', batch: upgrade(world.vaultV2Patched) });
    const bybit = await record(chain, world, N, { name: 'anvil-bybit-forged-diff', batch: upgrade(world.vaultV2), delegateTo: world.batchExecutor });
    for (const r of [honest, tampered, bybit]) r.rollback = rollback;

    const targets = (implVault) => [
      { proxy: world.vault, kind: 'transparent', admin: world.proxyAdmin, implementation: implVault, artifact: 'out/VaultV2.json' },
      { proxy: world.pool, kind: 'uups', implementation: world.poolV2, artifact: 'out/StakingPoolV2.json' },
    ];
    const code = async (rec, entries) => Object.fromEntries(await Promise.all(entries.map(async ([a, c]) => [a, c ?? await chain.code(a, rec.block)])));
    const title = 'Vault v2.1 (transparent) and StakingPool v2 (UUPS) through a Safe and MultiSendCallOnly, on anvil';
    const honestEvidence = evidenceOf(honest, await code(honest, [[world.vaultV2], [world.poolV2]]));
    const cases = [];

    cases.push(exampleFolder(chain, world, honest, {
      name: 'anvil-safe-multisend',
      title,
      summary: `A Safe 1.4.1 (two owners, threshold 2) upgrades an OpenZeppelin 5 TransparentUpgradeableProxy through its ProxyAdmin and a UUPS ERC1967Proxy in one \`delegatecall\` to MultiSendCallOnly 1.4.1, on a real node (anvil), with a witness of block ${N}.`,
      rule: 'The witness proves the state of block N against the hash in `block-hash.txt` (`state.proof`); the release re-executed on it changes both proxies\' ERC-1967 implementation slots and the Safe\'s nonce, and so does the node\'s diff in `evidence.json` (`simulation.replay`); §7\'s rules hold on the derived diff (`simulation.effects`) and both implementations\' proven code equals the artifacts (StakingPoolV2 after its immutables; `implementation.code`).',
      targets: targets(world.vaultV2),
      evidence: honestEvidence,
      witness: honest.witness,
      fail: [],
    }));

    // (b) the node's diff with one change deleted: the UUPS proxy's implementation slot.
    const forged = structuredClone(honestEvidence);
    const poolKey = Object.keys(forged.stateDiff.post).find((a) => checksum(a) === world.pool);
    for (const side of ['pre', 'post']) {
      const acct = forged.stateDiff[side][poolKey];
      if (!acct?.storage) throw new Error('the diff has no storage change of the UUPS proxy');
      const k = Object.keys(acct.storage).find((s) => word(BigInt(s)) === SLOT.implementation);
      delete acct.storage[k];
      if (Object.keys(acct.storage).length === 0) delete acct.storage;
    }
    cases.push(exampleFolder(chain, world, honest, {
      name: 'anvil-forged-diff',
      title,
      summary: 'anvil-safe-multisend whose evidence diff was edited after the node made it: the UUPS proxy\'s ERC-1967 implementation slot change is deleted (from `pre` and `post`), and the manifest and approvals are re-made over the edited file.',
      rule: `\`simulation.replay\` fails: the re-execution on the proven state changes slot \`${SLOT.implementation}\` of ${world.pool} to the address word of ${world.poolV2}, which the supplied diff lacks. \`simulation.effects\` then fails too ("no derived diff": it reads only the derived diff when a witness is supplied). Without the witness, §7 alone would see only E1 failing for that target.`,
      targets: targets(world.vaultV2),
      evidence: forged,
      witness: honest.witness,
      fail: ['simulation.effects', 'simulation.replay'],
    }));

    // (c) the implementation's proven code differs from the artifact by one byte; the evidence claims the artifact.
    const artifactRuntime = `0x${chain.contract('src/Vault.sol', 'VaultV2').evm.deployedBytecode.object}`;
    cases.push(exampleFolder(chain, world, tampered, {
      name: 'anvil-code-one-byte',
      title,
      summary: `The same upgrade to a VaultV2 implementation deployed by a plain copier with one byte changed (MAX_WITHDRAWAL_FEE_BPS's \`PUSH1 0x32\` became \`PUSH1 0x00\` at byte ${world.patchedOffset}: no withdrawal fee), while the evidence's \`code\` entry for it claims the artifact's bytes.`,
      rule: `\`implementation.code\` fails: with a witness, step 3 takes the on-chain code only from the proof (the code whose hash the account proves), and it differs from \`out/VaultV2.json\` first at byte ${world.patchedOffset}. Without the witness the edited \`code\` entry would pass. \`state.proof\`, \`simulation.replay\` and \`simulation.effects\` pass (the diff is the node's own).`,
      targets: targets(world.vaultV2Patched),
      evidence: evidenceOf(tampered, await code(tampered, [[world.vaultV2Patched, artifactRuntime], [world.poolV2]])),
      witness: tampered.witness,
      fail: ['implementation.code'],
    }));

    // (d) the witness lacks one slot the execution reads: the ProxyAdmin's owner (slot 0, read by onlyOwner).
    const missing = structuredClone(honest.witness);
    const adminEntry = missing.accounts.find((a) => checksum(a.address) === world.proxyAdmin);
    const before = adminEntry.storageProof.length;
    adminEntry.storageProof = adminEntry.storageProof.filter((s) => word(BigInt(s.key)) !== word(0));
    if (adminEntry.storageProof.length !== before - 1) throw new Error('the witness has no proof of the ProxyAdmin\'s slot 0');
    cases.push(exampleFolder(chain, world, honest, {
      name: 'anvil-missing-slot',
      title,
      summary: 'anvil-safe-multisend with a witness that lacks one storage proof the execution needs: slot 0 of the ProxyAdmin (its Ownable owner, read by `onlyOwner` in `upgradeAndCall`).',
      rule: `\`simulation.replay\` fails on the unproven read and names it: account ${world.proxyAdmin}, slot \`${word(0)}\`, and the command that fetches its proof, \`cast proof ${world.proxyAdmin} ${word(0)} --block ${N}\`. \`simulation.effects\` fails with it ("no derived diff"). \`state.proof\` passes: every proof the witness does carry verifies.`,
      targets: targets(world.vaultV2),
      evidence: honestEvidence,
      witness: missing,
      fail: ['simulation.effects', 'simulation.replay'],
    }));

    // (e) Bybit-style: the batch through an allowlisted look-alike that also
    // writes the Safe's singleton; the node's diff shows it, and the proposer
    // deletes that change from the evidence before binding it.
    const bybitEvidence = evidenceOf(bybit, await code(bybit, [[world.vaultV2], [world.poolV2]]));
    const safeKey = Object.keys(bybitEvidence.stateDiff.post).find((a) => checksum(a) === world.safe);
    for (const side of ['pre', 'post']) {
      const st = bybitEvidence.stateDiff[side][safeKey]?.storage;
      const k = st && Object.keys(st).find((x) => BigInt(x) === 0n);
      if (!k) throw new Error(`the Bybit-style diff has no change of the Safe's slot 0 in ${side}`);
      delete st[k];
    }
    cases.push(exampleFolder(chain, world, bybit, {
      name: 'anvil-bybit-forged-diff',
      title,
      summary: `Bybit-style, on a real node: the batch is delegatecalled into \`BatchExecutor\` ${world.batchExecutor}, a MultiSend look-alike that policy.json allowlists; it runs the reviewed batch and then writes the Safe's slot 0 (its singleton) — and the evidence is the node's diff with that one change deleted, re-bound by the manifest.`,
      rule: `On the edited diff every §7 rule holds (the issue-23 attack: without a witness this evidence would release). With the witness, \`simulation.replay\` re-executes the release on proven state, sees the Safe's slot \`${word(0)}\` change to the address word of ${world.implant}, and fails: the supplied diff lacks that change. \`simulation.effects\` fails with it ("no derived diff"); on the derived diff it would fail by E4 as well.`,
      targets: targets(world.vaultV2),
      evidence: bybitEvidence,
      witness: bybit.witness,
      fail: ['simulation.effects', 'simulation.replay'],
      allowlist: [...DEFAULT_ALLOWLIST, world.batchExecutor],
    }));

    const fixtures = fixtureFiles(honest);
    const tTotal = Date.now() - t0;
    return { cases, fixtures, N, world, solcVersion: solc.version, timing: { compileMs: tCompile, totalMs: tTotal }, ...(keep ? { node } : {}) };
  } catch (e) {
    await node.stop();
    throw e;
  } finally {
    if (!keep) await node.stop();
  }
}

function filesOn(dir) {
  const out = {};
  if (!existsSync(dir)) return out;
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}

/// The trees this script owns, relative to the repository root: path → bytes.
export function trees(result) {
  const out = {};
  for (const c of result.cases) for (const [p, b] of Object.entries(c.files)) out[`examples/${c.name}/${p}`] = b;
  const readme = fixtureReadme(result);
  out['tests/fixtures/anvil/README.md'] = Buffer.from(readme);
  for (const [p, b] of Object.entries(result.fixtures)) out[`tests/fixtures/anvil/${p}`] = b;
  return out;
}

function fixtureReadme(result) {
  return `# tests/fixtures/anvil — what a real node answers about a Safe + MultiSend upgrade

Raw answers of anvil ${FOUNDRY_VERSION} (npm \`@foundry-rs/anvil\`, binary from \`@foundry-rs/anvil-linux-amd64\`)
and cast ${FOUNDRY_VERSION} (\`@foundry-rs/cast\`) about the release of \`examples/anvil-safe-multisend\`, at block ${result.N}
(the last mined block, before the release executes). Written by \`examples/generator/anvil.mjs\`
(\`npm run examples:anvil\`; \`npm run examples:anvil -- --check\` regenerates into a temporary folder and
compares byte for byte). Do not edit by hand.

| file | what |
|---|---|
| \`header.rlp.hex\` | \`cast block ${result.N} --raw\`: the header's RLP (anvil has no \`debug_getRawHeader\`) |
| \`block-hash.txt\` | \`cast block ${result.N} --field hash\`; keccak-256 of the RLP above |
| \`block.json\` | \`eth_getBlockByNumber(${result.N}, false)\`'s result (SPEC §9.1 accepts it as \`header\` too) |
| \`proofs/<address>.json\` | \`cast proof <address> <slot>… --block ${result.N}\`: one \`eth_getProof\` result per account (\`commands.sh\` lists the slots) |
| \`codes/<address>.hex\` | \`cast code <address> --block ${result.N}\` for every proven account with code |
| \`trace-prestate.json\` | \`debug_traceCall\` of the release's \`execTransaction\` with \`{"tracer":"prestateTracer"}\` (non-diff): the accounts and slots it reads, the list of what to prove |
| \`trace-diff.json\` | the same with \`"tracerConfig":{"diffMode":true}\`: the state diff (\`evidence.json\`'s \`stateDiff\`) |
| \`call.json\` | that call (\`from\`, \`to\`, \`data\`), the \`stateOverrides\` given with it, block ${result.N} and the Safe's \`safeTxHash\` |
| \`ancestors.json\` | \`cast block N-1 --raw\`, N-2, N-3: RLP headers in the order of a witness's \`ancestors\` (not in \`witness.json\`: the release reads no \`BLOCKHASH\`) |
| \`rpc/*.json\` | two answers kept whole as anvil sent them, JSON-RPC envelope included: \`eth_getBlockByNumber(N, false)\` and \`eth_getProof\` of the Safe's threshold and nonce slots (SPEC §9.1 accepts a \`{"jsonrpc","id","result"}\` entry) |
| \`commands.sh\` | the cast commands, in order |
| \`witness.json\` | \`upgrade-gate/witness/v1\` assembled from the files above (\`header\` = the RLP, \`accounts\` = the proofs, \`codes\` = the codes): what \`upgrade-gate witness --header header.rlp.hex --proof proofs/*.json --code codes/*.hex --chain-id ${CHAIN_ID}\` should write |

## How the chain was made

\`anvil --chain-id ${CHAIN_ID} --hardfork ${HARDFORK} --timestamp ${GENESIS_TIMESTAMP}\` (anvil's fixed default mnemonic; automine;
\`anvil_setBlockTimestampInterval ${BLOCK_INTERVAL}\`, so block k has timestamp ${GENESIS_TIMESTAMP} + ${BLOCK_INTERVAL}·k). Deployed by anvil's account #9 with
\`eth_sendTransaction\`, one transaction per block: Safe 1.4.1 singleton, SafeProxyFactory,
CompatibilityFallbackHandler and MultiSendCallOnly (\`@safe-global/safe-contracts\` 1.4.1, compiled with solc
${result.solcVersion} from npm, optimizer 200 runs, evmVersion cancun; MultiSendCallOnly's runtime then placed at its
canonical address ${MULTISEND_CALL_ONLY} with \`anvil_setCode\`), a Safe proxy (\`createProxyWithNonce\`,
owners ${result.world.owners.join(' and ')}, threshold 2), VaultV1 behind an OpenZeppelin 5.0.2 TransparentUpgradeableProxy
${result.world.vault} (ProxyAdmin ${result.world.proxyAdmin}, owned by the Safe), VaultV2 ${result.world.vaultV2},
PoolRegistry, StakingPoolV1 behind an ERC1967Proxy (UUPS) ${result.world.pool} owned by the Safe, StakingPoolV2
${result.world.poolV2}, a one-byte-patched VaultV2 ${result.world.vaultV2Patched} (for anvil-code-one-byte), the
MultiSend look-alike BatchExecutor ${result.world.batchExecutor} (for anvil-bybit-forged-diff), one earlier Safe
transaction (nonce 0 → 1), and one empty block: block ${result.N}.

The traced call is the SPEC §9.4 Safe flow: from the lower owner, signatures \`r = owner, s = 0, v = 1\` for both
owners in ascending order, the other owner's \`approvedHashes[owner][safeTxHash]\` overridden to 1 with
\`stateOverrides\` (a slot of the Safe that E6 allows) — exactly what the gate's re-execution does, so the node's
diff and the derived diff must agree (the overridden slot is read, not written, and is not proven: §9.4 needs no
proof for it). Pre-approving with real \`approveHash\` transactions would give the same diff for Safe 1.4.1 (it
never clears the entry), but would change the proven state from what a release executed with ECDSA signatures
sees.

anvil quirks these files show or avoid (tests/scripts/anvil.test.mjs checks each): \`eth_getProof\` wants storage
keys as 32-byte words (\`0x0\` is refused: "odd number of digits") and answers a key asked twice twice; a slot
of an account whose storage is empty is proven by \`["0x80"]\`; there is no \`debug_getRawHeader\` (hence
\`cast block N --raw\`, which re-encodes \`eth_getBlockByNumber\`'s fields); on a young chain \`safe\` and
\`finalized\` are block 0, whose header claims the empty state root although the dev accounts are funded, so
proofs at block 0 never verify — these files use block ${result.N}. The coinbase is the zero address
(anvil's default), proven like any account.

Regenerating gives identical files: fixed mnemonic, genesis timestamp and block interval, one transaction per
block, RFC 6979 signatures, JSON with sorted keys (the raw \`cast\` outputs as cast prints them).
`;
}

async function main() {
  const check = process.argv.includes('--check');
  // Installs the pinned npm packages (solc, anvil, cast, noble) if missing, as `npm run examples` does.
  const { ensureNodeModules, stopIfDryRun } = await import('../../scripts/setup.mjs');
  ensureNodeModules();
  stopIfDryRun(check ? 'npm run examples:anvil:check' : 'npm run examples:anvil');
  const outIdx = process.argv.indexOf('--out');
  const t0 = Date.now();
  const result = await generate();
  const files = trees(result);
  const owned = (rel) => rel.startsWith('tests/fixtures/anvil/') || /^examples\/anvil-[^/]+\//.test(rel);
  // The committed trees (or --out's): what --check compares with, what a write replaces.
  const base = outIdx >= 0 ? process.argv[outIdx + 1] : root;
  const existing = prefixed(filesOn(join(base, 'tests', 'fixtures', 'anvil')), 'tests/fixtures/anvil/');
  for (const n of existsSync(join(base, 'examples')) ? readdirSync(join(base, 'examples')) : []) {
    if (n.startsWith('anvil-')) Object.assign(existing, prefixed(filesOn(join(base, 'examples', n)), `examples/${n}/`));
  }
  const problems = [];
  if (check) {
    for (const [rel, bytes] of Object.entries(files)) {
      const have = existing[rel];
      if (!have) problems.push(`missing: ${rel}`);
      else if (!have.equals(bytes)) problems.push(`differs: ${rel}`);
    }
    for (const rel of Object.keys(existing)) if (owned(rel) && !(rel in files)) problems.push(`not generated: ${rel}`);
  } else {
    for (const rel of Object.keys(existing)) if (owned(rel) && !(rel in files)) rmSync(join(base, rel));
  }
  const writeBase = check ? mkdtempSync(join(tmpdir(), 'upgrade-gate-anvil-')) : base;
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(writeBase, rel)), { recursive: true });
    writeFileSync(join(writeBase, rel), bytes);
  }
  process.stderr.write(`[upgrade-gate] anvil examples: block ${result.N}, ${Object.keys(files).length} files; solc ${result.timing.compileMs} ms, total ${Date.now() - t0} ms${check ? ` (regenerated into ${writeBase})` : ''}\n`);
  // examples/README.md lists the anvil-* folders; tests/examples.rs writes it.
  if (!check && base === root) run('cargo', ['test', '--quiet', '--test', 'examples'], { env: { ...process.env, UPDATE_EXAMPLES: '1' } });
  if (check) {
    if (problems.length) {
      process.stderr.write(`[upgrade-gate] the committed anvil examples differ from what the generator writes (run \`npm run examples:anvil\`):\n${problems.join('\n')}\n`);
      process.exit(1);
    }
    rmSync(writeBase, { recursive: true, force: true });
  }
}

function prefixed(files, prefix) {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}${k}`, v]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`[upgrade-gate] ${e.stack || e.message}\n`);
    process.exit(1);
  });
}
