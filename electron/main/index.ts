// The Electron main process: one window, a single-instance lock, the application menu, the lab
// host on the per-user data folder the CLI shares, and the LabApi served over IPC. Trainers run as
// plain Node processes started by the host (see ARCHITECTURE.md, "Processes").
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, nativeTheme } from 'electron';
import { openLabHost, type LabHost } from '../../core/lab/api/host.js';
import { resolveDataDir } from '../../core/lab/paths.js';
import { serveLabOverIpc } from './lab-ipc.js';
import { buildMenu } from './menu.js';
import { hardenApp, hardenSession } from './security.js';
import { createRuns } from './runs.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Set by electron-vite while developing (`npm start`); absent in a built or packaged app. */
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

let window: BrowserWindow | null = null;
let host: LabHost | null = null;
let stopIpc: (() => void) | null = null;

// One per-user folder for the app and the CLI. Electron would otherwise name its own folder after
// the package (`nn-lab` in development, `NN Lab` when packaged: `~/.config/NN Lab` on Linux) while
// the CLI uses core/lab/paths.ts (`~/.config/nnlab`). NNLAB_HOME, else that shared folder, becomes
// Electron's userData; Chromium's session files (cache, local storage) go to a subfolder so they
// stay apart from the lab's own files. Set before the single-instance lock, which lives in userData.
const dataDir = resolveDataDir();
app.setName('NN Lab');
app.setPath('userData', dataDir);
app.setPath('sessionData', join(dataDir, 'desktop-session'));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  hardenApp(devServerUrl);
  app.whenReady().then(start, fail);
}

async function start(): Promise<void> {
  hardenSession(devServerUrl);
  // The folder resolved above: the same one `nnlab` uses, so both share the history.
  host = await openLabHost({ dataDir, createRuns });
  // Picks up queued runs and marks runs left 'running' by a previous life as interrupted.
  host.runs?.start();
  stopIpc = serveLabOverIpc(host.service, () => window, devServerUrl);
  Menu.setApplicationMenu(buildMenu(() => window, dataDir));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'NN Lab',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#12161c' : '#f6f7f9',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = null;
  });
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(join(here, '../../renderer/dist/index.html'));
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('NN Lab could not start', message);
  app.exit(1);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !host) return;
  // Stop trainers and close the database before exiting; then quit for real.
  event.preventDefault();
  quitting = true;
  stopIpc?.();
  host
    .close()
    .catch(() => undefined)
    .finally(() => app.quit());
});
