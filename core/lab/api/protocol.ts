// The wire protocol that carries the LabApi over a message transport (WebSocket, or any other
// channel of JSON messages). Requests carry a sequence number; the reply echoes it.
// Browser-safe: no Node imports.
import { z } from 'zod';
import { CHANNELS, labErrorBody, labEvent, type Channel } from './contract.js';

const channelName = z.enum(CHANNELS as [Channel, ...Channel[]]);

/** Client → server. */
export const clientMessage = z.object({
  type: z.literal('request'),
  seq: z.number().int().nonnegative(),
  channel: channelName,
  /** Validated against the channel's request schema by the service. */
  request: z.unknown(),
});
export type ClientMessage = z.infer<typeof clientMessage>;

/** Server → client. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('response'), seq: z.number().int().nonnegative(), response: z.unknown() }),
  z.object({ type: z.literal('error'), seq: z.number().int().nonnegative().nullable(), error: labErrorBody }),
  z.object({ type: z.literal('event'), event: labEvent }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** The WebSocket path and the query parameter carrying the per-launch token. */
export const WS_PATH = '/api/ws';
export const TOKEN_PARAM = 'token';
export const TOKEN_HEADER = 'x-nnlab-token';
