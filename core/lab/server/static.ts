// Serves the built renderer (renderer/dist) with a strict content security policy. Paths that
// are not files fall back to index.html (the UI routes itself); nothing outside the folder is
// reachable. Without a build, a short page says how to make one.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../renderer/dist', import.meta.url));

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy':
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; ` +
      `img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export async function serveStatic(
  staticDir: string,
  pathname: string,
  response: ServerResponse,
  port: number,
  head: boolean,
): Promise<void> {
  const root = resolve(staticDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return plain(response, 400, 'Bad path.', port);
  }
  const target = resolve(root, '.' + normalize('/' + decoded));
  if (target !== root && !target.startsWith(root + sep)) return plain(response, 404, 'Not found.', port);

  const file = (await isFile(target)) ? target : join(root, 'index.html');
  if (!(await isFile(file))) {
    if (extname(decoded) && decoded !== '/index.html') return plain(response, 404, 'Not found.', port);
    return notBuilt(response, port);
  }
  const size = (await stat(file)).size;
  response.writeHead(200, {
    ...securityHeaders(port),
    'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(size),
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'private, max-age=3600',
  });
  if (head) return void response.end();
  createReadStream(file).pipe(response);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function notBuilt(response: ServerResponse, port: number): void {
  const body =
    '<!doctype html><meta charset="utf-8"><title>NN Lab</title>' +
    '<h1>NN Lab</h1><p>The lab server is running, but the user interface has not been built.</p>' +
    '<p>Run <code>npm run build:renderer</code>, then reload this page.</p>';
  response.writeHead(200, {
    ...securityHeaders(port),
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

export function plain(response: ServerResponse, status: number, text: string, port: number): void {
  response.writeHead(status, {
    ...securityHeaders(port),
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(text + '\n');
}
