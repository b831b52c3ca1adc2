// Serves the LabApi over Electron IPC: one handler per contract channel (no generic invoke), every
// sender checked, every payload validated by the LabService, errors returned as data.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS, LabError } from '../../core/lab/api/contract.js';
import { toLabError, type LabService } from '../../core/lab/api/service.js';
import { EVENT_CHANNEL, type IpcReply } from '../ipc.js';
import { isAppUrl } from './security.js';

export function serveLabOverIpc(
  service: LabService,
  window: () => BrowserWindow | null,
  devServerUrl: string | undefined,
): () => void {
  /** Only the app's own window, from its top frame, showing the app's own page may call. */
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const win = window();
    const frame = event.senderFrame;
    return (
      win !== null &&
      !win.isDestroyed() &&
      event.sender === win.webContents &&
      frame !== null &&
      frame === event.sender.mainFrame &&
      isAppUrl(frame.url, devServerUrl)
    );
  };

  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, request: unknown): Promise<IpcReply> => {
      if (!trusted(event)) {
        return {
          ok: false,
          error: new LabError('unauthorized', `${channel}: the caller is not the NN Lab window.`).toBody(),
        };
      }
      try {
        return { ok: true, response: await service.call(channel, request) };
      } catch (error) {
        return { ok: false, error: toLabError(error).toBody() };
      }
    });
  }

  const unsubscribe = service.subscribe((event) => {
    const win = window();
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
  });

  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
