import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LabError, type LabEvent } from '../../../core/lab/api/contract.js';
import { LabService } from '../../../core/lab/api/service.js';
import { createWebSocketLabClient, type WebSocketConstructor } from '../../../core/lab/api/ws-client.js';
import { startServer, type LabServer } from '../../../core/lab/server/index.js';
import { openStore, type Store } from '../../../core/lab/store/index.js';

let dir: string;
let store: Store;
let service: LabService;
let server: LabServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nnlab-server-'));
  store = openStore(join(dir, 'nnlab.sqlite'));
  service = new LabService({ store, dataDir: dir });
  server = await startServer({ service, staticDir: join(dir, 'no-renderer-here') });
});
afterAll(async () => {
  await server.close();
  await service.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, so the test controls Host and Origin exactly. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${server.port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  send(`/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-nnlab-token': server.token, ...headers },
    body: JSON.stringify(body),
  });

/** Resolves with the handshake's HTTP status when refused, or 101 when the socket opened. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', (error) => reject(error));
  });
}

const wsUrl = (query = '') => `ws://127.0.0.1:${server.port}/api/ws${query}`;

describe('nnlab serve: who may come in', () => {
  it('listens on loopback and issues a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses HTTP requests with a missing or wrong token', async () => {
    expect((await send('/api/health')).status).toBe(401);
    expect((await send('/')).status).toBe(401);
    expect((await send('/api/health', { headers: { 'x-nnlab-token': 'wrong' } })).status).toBe(401);
    expect((await send('/?token=wrong')).status).toBe(401);
    expect((await call('datasets:list', {}, { 'x-nnlab-token': server.token + 'x' })).status).toBe(401);
    const ok = await send('/api/health', { headers: { authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async () => {
    const token = { 'x-nnlab-token': server.token };
    expect(
      (await send('/api/health', { headers: { ...token, host: `evil.example:${server.port}` } })).status,
    ).toBe(403);
    expect((await send('/api/health', { headers: { ...token, host: '127.0.0.1:1' } })).status).toBe(403);
    expect((await call('datasets:list', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('datasets:list', {}, { origin: `http://localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses WebSocket handshakes without the token, with a wrong one, or from a foreign origin', async () => {
    expect(await handshake(wsUrl())).toBe(401);
    expect(await handshake(wsUrl('?token=nope'))).toBe(401);
    expect(await handshake(wsUrl(`?token=${server.token}`), { origin: 'http://evil.example' })).toBe(403);
    expect(await handshake(wsUrl(`?token=${server.token}`), { host: `rebound.example:${server.port}` })).toBe(
      403,
    );
    expect(
      await handshake(wsUrl(`?token=${server.token}`), { origin: `http://127.0.0.1:${server.port}` }),
    ).toBe(101);
  });

  it('moves the token from the first page load into a cookie for this port, then serves the page', async () => {
    const first = await send(`/runs?token=${encodeURIComponent(server.token)}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/runs');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await send('/runs', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('npm run build:renderer');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // The cookie also opens the socket, as it does for the page's own WebSocket.
    expect(await handshake(wsUrl(), { cookie })).toBe(101);
  });
});

describe('nnlab serve: the LabApi over HTTP and WebSocket', () => {
  it('validates every HTTP payload', async () => {
    const bad = await call('datasets:preview', { id: 42 });
    expect(bad.status).toBe(400);
    const body = JSON.parse(bad.body) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('bad-request');
    expect(body.error.issues[0]!.path).toBe('id');
    expect((await call('nope:nothing', {})).status).toBe(404);
    const notJson = await send('/api/call/datasets:list', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-nnlab-token': server.token },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
  });

  it('round-trips requests and events over the WebSocket client', async () => {
    const states: string[] = [];
    const lab = createWebSocketLabClient({
      url: server.url,
      token: server.token,
      WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
      onStateChange: (state) => states.push(state),
    });
    const events: LabEvent[] = [];
    const unsubscribe = lab.subscribe((event) => events.push(event));
    try {
      expect((await lab.datasets.samples()).samples).toContain('xor');
      const imported = await lab.datasets.import({
        source: { kind: 'sample', sample: 'xor', rows: 40 },
        name: 'xor over ws',
        importId: 'import-1',
      });
      expect(imported.importId).toBe('import-1');
      expect(imported.dataset).toMatchObject({ name: 'xor over ws', task: 'classification', rows: 40 });
      const listed = await lab.datasets.list();
      expect(listed.datasets.map((d) => d.id)).toContain(imported.dataset.id);
      const preview = await lab.datasets.preview({ id: imported.dataset.id, rows: 3 });
      expect(preview.firstRows.rows).toHaveLength(3);

      await expect(lab.datasets.get({ id: 'missing' })).rejects.toMatchObject({ code: 'not-found' });
      const invalid = await lab.datasets
        .import({ source: { kind: 'sample', sample: 'nonsense' as 'xor' } })
        .catch((error: unknown) => error);
      expect(invalid).toBeInstanceOf(LabError);
      expect((invalid as LabError).code).toBe('bad-request');
      expect((invalid as LabError).message).toMatch(/source\.sample/);

      expect(events.some((e) => e.type === 'datasets:import-progress' && e.importId === 'import-1')).toBe(
        true,
      );
      expect(events.some((e) => e.type === 'datasets:changed' && e.datasetId === imported.dataset.id)).toBe(
        true,
      );
      expect(states).toContain('open');
      expect((await lab.datasets.delete({ id: imported.dataset.id })).deleted).toBe(true);
    } finally {
      unsubscribe();
      lab.transport.close();
    }
  });

  it('answers malformed socket messages with an error instead of dropping the connection', async () => {
    const ws = new WebSocket(wsUrl(`?token=${server.token}`));
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(String(data))));
    const next = () =>
      new Promise<unknown>((resolve) => {
        const started = replies.length;
        const poll = () => (replies.length > started ? resolve(replies[started]) : setTimeout(poll, 5));
        poll();
      });
    let reply = next();
    ws.send('not json');
    expect(await reply).toMatchObject({ type: 'error', seq: null, error: { code: 'bad-request' } });
    reply = next();
    ws.send(JSON.stringify({ type: 'request', seq: 7, channel: 'runs:explode', request: {} }));
    expect(await reply).toMatchObject({ type: 'error', seq: 7, error: { code: 'bad-request' } });
    reply = next();
    ws.send(JSON.stringify({ type: 'request', seq: 8, channel: 'datasets:list', request: {} }));
    expect(await reply).toMatchObject({ type: 'response', seq: 8, response: { datasets: [] } });
    ws.close();
  });
});
