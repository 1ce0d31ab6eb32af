// A static server for www/ on the loopback interface only: no logic, no
// writes, nothing outside www/. `node scripts/serve.mjs [--port N]`.
//
// It sends a file's precompressed twin (<file>.br or <file>.gz, written by
// the build) when the request accepts that encoding and the twin is not
// older than the file (a file edited after the build is sent as it is).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './lib.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.tar': 'application/x-tar',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

// The precompressed twins, best first.
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
];

/** The content codings an Accept-Encoding header accepts (q > 0); `*` accepts all of ours. */
export function acceptedEncodings(header) {
  const out = new Set();
  const refused = new Set();
  for (const part of String(header || '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (!(weight > 0)) refused.add(name);
    else if (name === '*') for (const [coding] of ENCODINGS) out.add(coding);
    else out.add(name === 'x-gzip' ? 'gzip' : name);
  }
  for (const name of refused) out.delete(name);
  return out;
}

/** A twin made from this version of the file: present, and written after it. */
function isFreshTwin(path, stat) {
  try {
    const twin = statSync(path);
    return twin.isFile() && twin.mtimeMs >= stat.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Starts the server; resolves to { server, url }. Port 0 picks a free one.
 * precompressed: false sends every file as it is (a host that does not compress).
 */
export function serve({ port = 8080, host = '127.0.0.1', dir = join(root, 'www'), precompressed = true } = {}) {
  const base = normalize(dir + sep);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let file = normalize(join(base, path));
    if (!file.startsWith(base) && file + sep !== base) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const stat = statSync(file);
      const headers = {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      };
      let body = file;
      let size = stat.size;
      const twins = !precompressed ? [] : ENCODINGS.filter(([, ext]) => isFreshTwin(`${file}${ext}`, stat));
      if (twins.length) {
        headers.vary = 'Accept-Encoding';
        const accepted = acceptedEncodings(req.headers['accept-encoding']);
        const pick = twins.find(([coding]) => accepted.has(coding));
        if (pick) {
          body = `${file}${pick[1]}`;
          size = statSync(body).size;
          headers['content-encoding'] = pick[0];
        }
      }
      headers['content-length'] = size;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(body).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : Number(process.env.PORT || 8080);
  serve({ port }).then(
    ({ url }) => {
      process.stdout.write(`upgrade-gate: serving www/ on ${url}\n`);
    },
    (e) => {
      process.stderr.write(`upgrade-gate: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
      process.exit(1);
    },
  );
}
