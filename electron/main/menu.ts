// The application menu. View items show the same shortcuts the page handles itself
// (registerAccelerator: false keeps the key press going to the page); clicking one switches the
// view through the page's URL hash, which the UI follows.
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
  const go = (id: string) => {
    const win = window();
    if (win && !win.isDestroyed())
      void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#${id}`)}`);
  };
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
      submenu: VIEWS.map(([id, label], index) => ({
        label,
        accelerator: `CmdOrCtrl+${index + 1}`,
        registerAccelerator: false,
        click: () => go(id),
      })),
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
      submenu: [{ label: `NN Lab ${app.getVersion()}`, enabled: false }],
    },
  ];
  return Menu.buildFromTemplate(template);
}
