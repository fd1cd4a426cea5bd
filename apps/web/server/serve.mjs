// The web front end's server: the Vite build (apps/web/dist) as static files, and a reverse proxy so the
// browser talks to one origin — /api/router/* → the router, /api/app/* → the ingest-app. One origin means no
// CORS and lets the SSE feed (a long-lived fetch) pass straight through. Node built-ins only.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

// Hop-by-hop headers are not forwarded (RFC 9110 §7.6.1).
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

function proxy(req, res, target, path) {
  const url = new URL(path, target);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  const upstream = http.request(url, { method: req.method, headers }, (up) => {
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'upstream_unavailable', message: '后台服务暂时无法连接，请稍后再试' }));
    } else res.destroy();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

// Text files are gzipped once and kept: the whole build is a few dozen KB, and phones on slow links benefit.
const gzipped = new Map();
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

function serveFile(req, res, file, cache) {
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cache ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'Accept-Encoding',
  };
  if (COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    const key = `${file}:${statSync(file).mtimeMs}`;
    if (!gzipped.has(key)) gzipped.set(key, gzipSync(readFileSync(file), { level: 9 }));
    const body = gzipped.get(key);
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function serveStatic(req, res, dist) {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const file = normalize(join(dist, path));
  if (file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile()) return serveFile(req, res, file, path.startsWith('/assets/'));
  if (path.startsWith('/assets/')) {
    res.writeHead(404).end();
    return;
  }
  // Client-side routes: everything under /console is the console, the rest the portal.
  serveFile(req, res, join(dist, path.startsWith('/console') ? 'console/index.html' : 'index.html'), false);
}

/**
 * @param {{ routerUrl: string, appUrl: string, port?: number, host?: string, dist?: string }} options
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startWebServer({ routerUrl, appUrl, port = 3000, host = '127.0.0.1', dist = WEB_DIST }) {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: build the web app first (npx vite build apps/web)`);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/router/')) return proxy(req, res, routerUrl, url.slice('/api/router'.length));
    if (url.startsWith('/api/app/')) return proxy(req, res, appUrl, url.slice('/api/app'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(req, res, dist);
  });
  await new Promise((done, fail) => server.once('error', fail).listen(port, host, done));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const web = await startWebServer({
    routerUrl: env.ROUTER_URL ?? `http://127.0.0.1:${env.ROUTER_PORT ?? 3004}`,
    appUrl: env.INGEST_APP_URL ?? `http://127.0.0.1:${env.INGEST_APP_PORT ?? 3001}`,
    port: Number(env.WEB_PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
  });
  process.stdout.write(`web: ${web.url}  (portal /, console /console/)\n`);
}
