// anvil and cast from npm (@foundry-rs/anvil, @foundry-rs/cast 1.7.1, pinned in
// package-lock.json as devDependencies): find the binary that npm placed in the
// platform package (e.g. @foundry-rs/anvil-linux-amd64/bin/anvil — installed
// with the package, nothing downloaded at install or at run time), start a
// local node on a free port (never a fork: it touches no network), wait until
// it answers JSON-RPC, and stop it. Used by tests/scripts/anvil.test.mjs and
// examples/anvil/generate.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/// The version every fixture and example was made with.
export const FOUNDRY_VERSION = '1.7.1';

const PLATFORM = { linux: 'linux', darwin: 'darwin', win32: 'win32' };
const ARCH = { x64: 'amd64', arm64: 'arm64' };

/**
 * The path of a Foundry tool's binary inside node_modules, or throws naming
 * the package to install. `tool` is `anvil` or `cast`.
 */
export function foundryBinary(tool) {
  const platform = PLATFORM[process.platform];
  const arch = ARCH[process.arch];
  if (!platform || !arch) throw new Error(`${tool}: no @foundry-rs build for ${process.platform}/${process.arch}`);
  const pkg = `@foundry-rs/${tool}-${platform}-${arch}`;
  const bin = join(root, 'node_modules', pkg, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  if (!existsSync(bin)) throw new Error(`${tool}: ${bin} is missing: run \`npm ci\` (devDependency @foundry-rs/${tool} ${FOUNDRY_VERSION}, binary in ${pkg})`);
  return bin;
}

/** `anvil --version`'s first line, e.g. "anvil Version: 1.7.1". */
export function foundryVersion(tool) {
  const r = spawnSync(foundryBinary(tool), ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} --version: ${r.stderr || r.error}`);
  return r.stdout.split('\n')[0].trim();
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One JSON-RPC call; throws with the node's error message. Returns `result`. */
export async function rpc(url, method, params = []) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = await res.json();
  if (json.error) {
    const e = new Error(`${method}: ${json.error.message}${json.error.data ? ` (${JSON.stringify(json.error.data)})` : ''}`);
    e.rpcError = json.error;
    throw e;
  }
  return json.result;
}

/** The same call, returning the whole JSON-RPC response object (to record it as the node sent it). */
export async function rpcRaw(url, method, params = []) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return res.json();
}

/**
 * Starts anvil on a free port of 127.0.0.1 with `args` added (e.g.
 * `['--timestamp', '…', '--hardfork', 'prague']`), waits until
 * `eth_chainId` answers, and returns `{url, port, process, stop()}`.
 * Never forks: the node is local and empty but for its dev accounts.
 */
export async function startAnvil(args = [], { timeoutMs = 20000 } = {}) {
  if (args.some((a) => a === '--fork-url' || a === '-f' || a.startsWith('--fork-url='))) throw new Error('startAnvil: forking a network is not allowed');
  const bin = foundryBinary('anvil');
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ['--host', '127.0.0.1', '--port', String(port), '--silent', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    let exited = null;
    // Never outlive the script that started it (a failed test, an uncaught error).
    const reap = () => { if (!exited) child.kill('SIGKILL'); };
    process.once('exit', reap);
    child.on('exit', (code, signal) => { exited = { code, signal }; process.removeListener('exit', reap); });
    const url = `http://127.0.0.1:${port}`;
    const stop = () => new Promise((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 3000).unref();
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited) {
      try {
        await rpc(url, 'eth_chainId');
        return { url, port, process: child, stop };
      } catch (e) {
        lastError = e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await stop();
    lastError = new Error(`anvil did not answer on ${url}${exited ? ` (exited ${exited.code ?? exited.signal}: ${stderr.trim()})` : ''}`);
  }
  throw lastError;
}

/**
 * Runs cast with `args`; returns its trimmed stdout or throws with stderr.
 * `env` adds variables (e.g. ETH_RPC_URL).
 */
export function cast(args, { env = {} } = {}) {
  const r = spawnSync(foundryBinary('cast'), args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cast ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cast ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}
