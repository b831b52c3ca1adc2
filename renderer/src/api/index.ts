// The one place that knows how the UI reaches the lab. In the desktop app the preload exposes the
// LabApi as `window.lab` (Electron IPC); in a browser served by `nnlab serve` the LabApi travels over
// the local WebSocket, authenticated by the per-launch token (from the page URL, else the cookie
// the server set). Stores import `lab` from here; nothing else knows which transport is in use.
import type { LabApi } from '../../../core/lab/api/contract.js';
import { createWebSocketLabClient, type ConnectionState } from '../../../core/lab/api/ws-client.js';
import { ref } from 'vue';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    lab?: LabApi;
    /** Set by the Electron preload: which shell the UI runs in. */
    labShell?: { kind: 'electron'; platform: string };
  }
}

/** The transport's connection state, for the status indicator. IPC is always open. */
export const connectionState = ref<ConnectionState>('open');

function connect(): LabApi {
  if (window.lab) return window.lab;
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token') ?? undefined;
  const client = createWebSocketLabClient({
    ...(token ? { token } : {}),
    onStateChange: (state) => {
      connectionState.value = state;
    },
  });
  connectionState.value = client.transport.state;
  // Keep the token out of the address bar (and out of screenshots and history) once it has been read;
  // reconnects reuse the socket URL the transport built.
  if (token) {
    params.delete('token');
    const query = params.toString();
    window.history.replaceState(
      null,
      '',
      `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`,
    );
  }
  return client;
}

export const lab: LabApi = connect();
export const shellKind: 'electron' | 'browser' = window.labShell ? 'electron' : 'browser';
