// The preload: exposes exactly the LabApi (as `window.lab`) and which shell this is. It runs
// sandboxed with context isolation; the renderer never sees ipcRenderer. Responses are validated
// against the contract here (createLabClient) before the page gets them.
import './zod-jitless.js';
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createLabClient, type LabTransport } from '../../core/lab/api/client.js';
import { LabError, labErrorBody } from '../../core/lab/api/contract.js';
import { EVENT_CHANNEL, type IpcReply } from '../ipc.js';

const transport: LabTransport = {
  async request(channel, request) {
    const reply = (await ipcRenderer.invoke(channel, request)) as IpcReply;
    if (reply.ok) return reply.response;
    const body = labErrorBody.safeParse(reply.error);
    if (!body.success)
      throw new LabError('internal', `The desktop host answered ${channel} with an unreadable error.`);
    throw new LabError(body.data.code, body.data.message, body.data.issues);
  },
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('lab', createLabClient(transport));
contextBridge.exposeInMainWorld('labShell', { kind: 'electron', platform: process.platform });
