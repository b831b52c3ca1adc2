// Hardening that applies to every web contents the app creates: no new windows, no navigation
// away from the app, no <webview>, no permissions, and no request to anything but the app's own
// files (or the dev server while developing).
import { app, session, shell, type WebContents } from 'electron';

/** True for URLs that belong to the app: its packaged files, or the dev server in development. */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  if (devServerUrl && url.startsWith(devServerUrl)) return true;
  return url.startsWith('file://') && decodeURIComponent(url).includes('/renderer/dist/');
}

export function hardenApp(devServerUrl: string | undefined): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the system browser, never inside the app.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** Call once the app is ready: denies every permission and every request for remote content. */
export function hardenSession(devServerUrl: string | undefined): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    const allowed =
      url.startsWith('file://') ||
      url.startsWith('devtools://') ||
      url.startsWith('data:') ||
      url.startsWith('blob:') ||
      (devServerUrl !== undefined &&
        (url.startsWith(devServerUrl) || url.startsWith(devServerUrl.replace(/^http/, 'ws'))));
    callback({ cancel: !allowed });
  });
}
