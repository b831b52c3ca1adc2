// `nnlab serve`: the LabApi and the built renderer over HTTP and a WebSocket on 127.0.0.1.
//
// Security, in the order a request meets it:
// 1. The socket listens on 127.0.0.1 only.
// 2. Host must be 127.0.0.1:PORT or localhost:PORT, so a DNS-rebound name cannot reach it, and
//    Origin, when present, must be this server, so no other site can call it or open a socket.
// 3. Every request and every WebSocket handshake carries the per-launch token: as the
//    `x-nnlab-token` header (or `Authorization: Bearer`) from scripts; as `?token=` on the first
//    page load, which sets an HttpOnly, SameSite=Strict cookie for this port and redirects to the
//    same URL without the token; then as that cookie (the page and its WebSocket). Anything else
//    gets 401 before any handler runs.
// 4. Bodies and messages are size-limited, and every payload is validated against the contract.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CHANNELS, LabError, type Channel } from '../api/contract.js';
import { TOKEN_PARAM, WS_PATH } from '../api/protocol.js';
import { toLabError, type LabService } from '../api/service.js';
import {
  checkHostAndOrigin,
  cookieName,
  newToken,
  presentedToken,
  tokenMatches,
  type Refusal,
} from './security.js';
import { serveSocket } from './sockets.js';
import { DEFAULT_STATIC_DIR, plain, securityHeaders, serveStatic } from './static.js';

export interface ServerOptions {
  service: LabService;
  /** Defaults to 0: a free port chosen by the system. */
  port?: number;
  /** Defaults to the repository's renderer/dist. */
  staticDir?: string;
  /** Defaults to 32 random bytes, base64url. */
  token?: string;
  /** The largest request body or WebSocket message. Defaults to 64 MiB (uploads travel as base64). */
  maxPayloadBytes?: number;
}

export interface LabServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The URL to open in a browser: carries the token once, then the cookie takes over. */
  pageUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const API_PREFIX = '/api/call/';

export async function startServer(options: ServerOptions): Promise<LabServer> {
  const token = options.token ?? newToken();
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const maxPayload = options.maxPayloadBytes ?? 64 * 1024 * 1024;
  let port = 0;

  const sockets = new WebSocketServer({ noServer: true, maxPayload });
  sockets.on('connection', (socket) => serveSocket(socket, options.service));

  const admit = (request: IncomingMessage, url: URL): Refusal | undefined =>
    checkHostAndOrigin(request, port) ??
    (tokenMatches(presentedToken(request, port, url), token)
      ? undefined
      : { status: 401, reason: 'A valid token is required: open the URL nnlab serve printed.' });

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, toLabError(error), port);
      else response.destroy();
    });
  });

  const handleHttp = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refusal = admit(request, url);
    if (refusal) return plain(response, refusal.status, refusal.reason, port);

    if (url.searchParams.has(TOKEN_PARAM) && request.method === 'GET') {
      // First page load: move the token into a cookie and out of the address bar and history.
      url.searchParams.delete(TOKEN_PARAM);
      response.writeHead(303, {
        ...securityHeaders(port),
        'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
        'Cache-Control': 'no-store',
      });
      return void response.end();
    }

    if (url.pathname.startsWith(API_PREFIX)) {
      if (request.method !== 'POST') return plain(response, 405, 'Use POST for API calls.', port);
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
        return plain(response, 415, 'API calls send Content-Type: application/json.', port);
      }
      const channel = url.pathname.slice(API_PREFIX.length);
      if (!(CHANNELS as string[]).includes(channel))
        return plain(response, 404, `No channel '${channel}'.`, port);
      const body = await readBody(request, maxPayload);
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendError(response, new LabError('bad-request', 'The body is not valid JSON.'), port);
      }
      try {
        const result = await options.service.call(channel as Channel, payload);
        return sendJson(response, 200, result, port);
      } catch (error) {
        return sendError(response, toLabError(error), port);
      }
    }
    if (url.pathname === '/api/health') return sendJson(response, 200, { ok: true }, port);
    if (url.pathname.startsWith('/api/')) return plain(response, 404, 'Not found.', port);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return plain(response, 405, 'Method not allowed.', port);
    await serveStatic(staticDir, url.pathname, response, port, request.method === 'HEAD');
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refusal =
      url.pathname === WS_PATH ? admit(request, url) : ({ status: 403, reason: 'No socket here.' } as const);
    if (refusal) {
      const text = refusal.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(
        `HTTP/1.1 ${refusal.status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${Buffer.byteLength(refusal.reason)}\r\n\r\n${refusal.reason}`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    pageUrl: `${url}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      return reject(new LabError('bad-request', `The body is larger than the ${limit}-byte limit.`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        reject(new LabError('bad-request', `The body is larger than the ${limit}-byte limit.`));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, port: number): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...securityHeaders(port),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

const statusOf: Record<LabError['code'], number> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  cancelled: 409,
  unauthorized: 401,
  internal: 500,
};

function sendError(response: ServerResponse, error: LabError, port: number): void {
  sendJson(response, statusOf[error.code], { error: error.toBody() }, port);
}
