// What travels between the Electron main process and the preload besides the LabApi's own
// payloads: the reply envelope (errors cross IPC as data, not as thrown Errors, so their code
// survives) and the event channel.
import type { LabErrorBody } from '../core/lab/api/contract.js';

/** Main → renderer: one LabEvent per message. */
export const EVENT_CHANNEL = 'lab:event';

export type IpcReply = { ok: true; response: unknown } | { ok: false; error: LabErrorBody };
