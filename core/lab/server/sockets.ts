// One WebSocket connection to the lab: requests in (validated, sequence-numbered), responses and
// events out. Each connection subscribes to the service's events for as long as it is open.
import type { WebSocket } from 'ws';
import { LabError, type LabEvent } from '../api/contract.js';
import { clientMessage, type ServerMessage } from '../api/protocol.js';
import type { LabService } from '../api/service.js';
import { toLabError } from '../api/service.js';

/** Progress events are dropped for a client this far behind; the next one catches it up. */
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;
/** Requests one connection may have in flight at once. */
const MAX_IN_FLIGHT = 64;

export function serveSocket(socket: WebSocket, service: LabService): void {
  let inFlight = 0;
  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const unsubscribe = service.subscribe((event: LabEvent) => {
    const progress = event.type === 'runs:progress' || event.type === 'datasets:import-progress';
    if (progress && socket.bufferedAmount > SLOW_CLIENT_BYTES) return;
    send({ type: 'event', event });
  });
  socket.on('close', unsubscribe);
  socket.on('error', () => socket.terminate());

  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      send({
        type: 'error',
        seq: null,
        error: new LabError('bad-request', 'Messages are JSON text.').toBody(),
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      send({
        type: 'error',
        seq: null,
        error: new LabError('bad-request', 'A message was not valid JSON.').toBody(),
      });
      return;
    }
    const parsed = clientMessage.safeParse(json);
    if (!parsed.success) {
      const seq = (json as { seq?: unknown } | null)?.seq;
      send({
        type: 'error',
        seq: typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : null,
        error: new LabError(
          'bad-request',
          `A message did not follow the protocol: ${parsed.error.issues
            .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
            .join('; ')}`,
        ).toBody(),
      });
      return;
    }
    const { seq, channel, request } = parsed.data;
    if (inFlight >= MAX_IN_FLIGHT) {
      send({ type: 'error', seq, error: new LabError('conflict', 'Too many requests in flight.').toBody() });
      return;
    }
    inFlight++;
    service
      .call(channel, request)
      .then(
        (response) => send({ type: 'response', seq, response }),
        (error: unknown) => send({ type: 'error', seq, error: toLabError(error).toBody() }),
      )
      .finally(() => inFlight--);
  });
}
