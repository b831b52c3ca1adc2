// The checks every request and WebSocket connection to `nnlab serve` passes before anything else:
// a Host naming this loopback server (no DNS rebinding), an Origin that is this server or absent
// (no cross-site requests or sockets), and the per-launch token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER, TOKEN_PARAM } from '../api/protocol.js';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie is per port: cookies ignore ports, and two servers must not share one. */
export function cookieName(port: number): string {
  return `nnlab_token_${port}`;
}

/** `127.0.0.1:PORT` and `localhost:PORT`, exactly: a rebound DNS name fails here. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export type Refusal = { status: 401 | 403; reason: string };

/**
 * Host and Origin. A browser always sends Origin on WebSocket handshakes and cross-site requests;
 * a request without one comes from a non-browser client, which still needs the token.
 */
export function checkHostAndOrigin(request: IncomingMessage, port: number): Refusal | undefined {
  const host = request.headers.host?.toLowerCase();
  if (!host || !allowedHosts(port).has(host)) {
    return { status: 403, reason: `Host '${host ?? ''}' is not this server (use 127.0.0.1:${port}).` };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase())) {
    return { status: 403, reason: `Origin '${origin}' may not use this server.` };
  }
  return undefined;
}

/** Where the token came from: a header (scripts), the cookie (the page), or the query (first load, sockets). */
export function presentedToken(request: IncomingMessage, port: number, url: URL): string | undefined {
  const header = request.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery !== null) return fromQuery;
  return readCookie(request.headers.cookie, cookieName(port));
}

export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}
