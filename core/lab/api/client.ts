// A LabApi built on any transport: Electron IPC, a WebSocket, or a direct call into the service.
// The client checks what comes back against the contract before handing it to the UI.
// Browser-safe: no Node imports.
import {
  CHANNELS,
  channels,
  labEvent,
  parseOrThrow,
  splitChannel,
  type Channel,
  type LabApi,
  type LabEventListener,
  type Unsubscribe,
} from './contract.js';

/** What a transport has to do: carry one request to the host, and deliver the host's events. */
export interface LabTransport {
  /** Resolves with the raw response, or rejects with a LabError (or any Error for a transport failure). */
  request(channel: Channel, request: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): Unsubscribe;
}

export function createLabClient(transport: LabTransport): LabApi {
  const api: Record<string, Record<string, (request?: unknown) => Promise<unknown>>> = {};
  for (const name of CHANNELS) {
    const { domain, method } = splitChannel(name);
    (api[domain] ??= {})[method] = async (request?: unknown) => {
      const response = await transport.request(name, request ?? {});
      return parseOrThrow(channels[name].response, response, `response from ${name}`);
    };
  }
  const subscribe = (listener: LabEventListener): Unsubscribe =>
    transport.subscribe((raw) => {
      const parsed = labEvent.safeParse(raw);
      // An event this client does not know (a newer host) is skipped rather than crashing the UI.
      if (parsed.success) listener(parsed.data);
    });
  return { ...api, subscribe } as unknown as LabApi;
}
