// The application menu. Items show the same shortcuts the page handles itself
// (registerAccelerator: false keeps the key press going to the page); clicking one dispatches a
// `nnlab:command` event naming the command (renderer/src/shortcuts.ts), so menu and key agree.
import { app, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

const VIEWS: [id: string, label: string][] = [
  ['datasets', 'Datasets'],
  ['builder', 'Model builder'],
  ['train', 'Train'],
  ['runs', 'Runs'],
  ['compare', 'Compare'],
  ['models', 'Models'],
];

export function buildMenu(window: () => BrowserWindow | null, dataDir: string): Menu {
  const isMac = process.platform === 'darwin';
  const command = (id: string) => {
    const win = window();
    if (win && !win.isDestroyed())
      void win.webContents.executeJavaScript(
        `window.dispatchEvent(new CustomEvent('nnlab:command', { detail: ${JSON.stringify(id)} }))`,
      );
  };
  const item = (label: string, id: string, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
    click: () => command(id),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show data folder', click: () => void shell.openPath(dataDir) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Go',
      submenu: VIEWS.map(([id, label], index) => item(label, `view:${id}`, `CmdOrCtrl+${index + 1}`)),
    },
    {
      label: 'Training',
      submenu: [
        item('Start training', 'start-training', 'CmdOrCtrl+Enter'),
        item('Pause or resume', 'pause-resume', 'P'),
        item('Compare selected runs', 'compare-selected', 'C'),
        item('Search runs', 'focus-search', '/'),
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        item('Keyboard shortcuts', 'toggle-help', '?'),
        { type: 'separator' },
        { label: `NN Lab ${app.getVersion()}`, enabled: false },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
