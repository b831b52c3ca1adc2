// The LabApi over a WebSocket (the browser side of `nnlab serve`, and end-to-end tests). Requests
// carry a sequence number and wait for the reply with the same number; events fan out to every
// subscriber; a dropped connection is re-opened with backoff.
// Browser-safe: no Node imports. In Node, pass the `ws` package's WebSocket as `WebSocketImpl`.
import { LabError, labErrorBody, type Channel, type LabApi, type Unsubscribe } from './contract.js';
import { createLabClient, type LabTransport } from './client.js';
import { serverMessage, TOKEN_PARAM, WS_PATH, type ClientMessage } from './protocol.js';

/** The part of the WebSocket API this transport uses (the browser's, or the `ws` package's). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Close codes the server uses when it refuses a connection: reconnecting would not help. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'refused' | 'closed';

export interface WebSocketTransportOptions {
  /**
   * The server's base URL (`http://127.0.0.1:PORT`) or the socket's (`ws://…/api/ws`). Defaults to
   * the page's own origin, where the page was served by `nnlab serve`.
   */
  url?: string;
  /** The per-launch token. Defaults to none: the page's cookie, set when it was loaded, is used. */
  token?: string;
  WebSocketImpl?: WebSocketConstructor;
  /** First reconnect delay, doubled per attempt up to 10 s. Defaults to 250 ms. */
  reconnectDelayMs?: number;
  onStateChange?: (state: ConnectionState) => void;
}

const OPEN = 1;
const MAX_DELAY_MS = 10_000;

export interface WebSocketTransport extends LabTransport {
  readonly state: ConnectionState;
  close(): void;
}

export function createWebSocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  const Impl =
    options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
  if (!Impl) throw new Error('No WebSocket implementation: pass WebSocketImpl (e.g. the ws package).');
  const url = socketUrl(options);
  const baseDelay = options.reconnectDelayMs ?? 250;

  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'connecting';
  let seq = 0;
  let attempts = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** Messages sent while the socket is (re)connecting, flushed once it opens. */
  const outbox: string[] = [];
  const listeners = new Set<(event: unknown) => void>();

  const setState = (next: ConnectionState) => {
    state = next;
    options.onStateChange?.(next);
  };

  const failPending = (error: Error) => {
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
    outbox.length = 0;
  };

  const connect = () => {
    const ws = new Impl(url);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      setState('open');
      for (const message of outbox.splice(0)) ws.send(message);
    };
    ws.onmessage = (event) => receive(event.data);
    ws.onerror = () => {
      // The close event that follows decides what happens next.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      if (state === 'closed') return;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        setState('refused');
        failPending(
          new LabError(
            'unauthorized',
            `The lab server refused the connection: ${event.reason || event.code}`,
          ),
        );
        return;
      }
      // Requests in flight may or may not have run: fail them rather than send them twice.
      for (const entry of pending.values()) {
        entry.reject(new LabError('internal', 'The connection to the lab server was lost; try again.'));
      }
      pending.clear();
      setState('reconnecting');
      const delay = Math.min(MAX_DELAY_MS, baseDelay * 2 ** attempts++);
      reconnectTimer = setTimeout(connect, delay);
    };
  };

  const receive = (data: unknown) => {
    let parsed;
    try {
      parsed = serverMessage.safeParse(JSON.parse(typeof data === 'string' ? data : String(data)));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'event') {
      for (const listener of listeners) listener(message.event);
      return;
    }
    if (message.seq === null) return;
    const entry = pending.get(message.seq);
    if (!entry) return;
    pending.delete(message.seq);
    if (message.type === 'response') entry.resolve(message.response);
    else {
      const body = labErrorBody.parse(message.error);
      entry.reject(new LabError(body.code, body.message, body.issues));
    }
  };

  connect();

  return {
    get state() {
      return state;
    },
    request(channel: Channel, request: unknown): Promise<unknown> {
      if (state === 'closed' || state === 'refused') {
        return Promise.reject(new LabError('unauthorized', `The lab connection is ${state}.`));
      }
      const message: ClientMessage = { type: 'request', seq: seq++, channel, request };
      return new Promise((resolve, reject) => {
        pending.set(message.seq, { resolve, reject });
        const text = JSON.stringify(message);
        if (socket && socket.readyState === OPEN) socket.send(text);
        else outbox.push(text);
      });
    },
    subscribe(listener: (event: unknown) => void): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      setState('closed');
      if (reconnectTimer) clearTimeout(reconnectTimer);
      failPending(new LabError('internal', 'The lab connection was closed.'));
      socket?.close(1000, 'client closed');
      socket = undefined;
    },
  };
}

/** A LabApi over a WebSocket, plus `close()`. */
export function createWebSocketLabClient(
  options: WebSocketTransportOptions = {},
): LabApi & { transport: WebSocketTransport } {
  const transport = createWebSocketTransport(options);
  return Object.assign(createLabClient(transport), { transport });
}

function socketUrl(options: WebSocketTransportOptions): string {
  const location = (globalThis as { location?: { origin: string } }).location;
  const base = new URL(options.url ?? location?.origin ?? 'http://127.0.0.1');
  if (base.protocol === 'http:') base.protocol = 'ws:';
  if (base.protocol === 'https:') base.protocol = 'wss:';
  if (!base.pathname.endsWith(WS_PATH)) base.pathname = WS_PATH;
  if (options.token) base.searchParams.set(TOKEN_PARAM, options.token);
  return base.toString();
}
