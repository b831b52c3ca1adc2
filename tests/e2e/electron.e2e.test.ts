// The Electron shell. Always: electron-vite builds main, the sandboxed preload and the trainer
// entry, and the built trainer trains a real run in plain Node, as the packaged app runs it. When
// an Electron binary is present: the app starts, shows the workbench and exposes only the LabApi.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLabHost } from '../../core/lab/api/host.js';
import { createRunsAdapter } from '../../core/lab/api/runs-adapter.js';
import { RunManager } from '../../core/lab/runs/run-manager.js';
import { platformDataDir } from '../../core/lab/paths.js';
import { screenshot } from './support/browser.js';
import { repoRoot } from './support/lab-server.js';

const out = join(repoRoot, 'out');

/** The Electron binary, when `npm install` downloaded one (CI sets ELECTRON_SKIP_BINARY_DOWNLOAD). */
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}
const binary = electronBinary();

describe('Electron shell build', () => {
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: repoRoot,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        stdio: 'pipe',
      },
    );
  });

  it('builds main, trainer and a self-contained sandboxed preload', () => {
    for (const file of ['main/index.js', 'main/trainer.js', 'preload/index.cjs']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const preload = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    // A sandboxed preload may only require electron: zod and the contract are bundled in.
    expect([...new Set(required)]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld("lab"');
  });

  it('rebases module-relative URLs so the bundled host finds its migrations', () => {
    const main = readFileSync(join(out, 'main', 'index.js'), 'utf8');
    const match = /new URL\("([^"]*migrations\/)", import\.meta\.url\)/.exec(main);
    expect(match).not.toBeNull();
    const folder = fileURLToPath(new URL(match![1]!, pathToFileURL(join(out, 'main', 'index.js'))));
    expect(existsSync(join(folder, '001_init.sql')), folder).toBe(true);
  });

  it('the built trainer entry trains a run in plain Node', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nnlab-e2e-trainer-'));
    const host = await openLabHost({
      dataDir,
      createRuns: (store, dir) =>
        createRunsAdapter({
          manager: new RunManager({
            store,
            dataDir: dir,
            trainerEntry: join(out, 'main', 'trainer.js'),
            trainerExecArgv: [],
          }),
          store,
          dataDir: dir,
        }),
    });
    try {
      const lab = host.service.api();
      const { dataset } = await lab.datasets.import({ source: { kind: 'sample', sample: 'xor' } });
      const run = await lab.runs.create({
        config: {
          dataset: dataset.id,
          model: {
            layers: [
              { type: 'dense', units: 8, activation: 'tanh' },
              { type: 'dense', units: 2, activation: 'softmax' },
            ],
          },
          training: { epochs: 3, batchSize: 16 },
        },
        device: 'cpu',
        seed: 1,
      });
      let status = run.status;
      for (let i = 0; i < 600 && !['completed', 'failed', 'diverged', 'cancelled'].includes(status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await lab.runs.get({ id: run.id })).status;
      }
      const detail = await lab.runs.get({ id: run.id });
      expect(detail.error).toBeNull();
      expect(detail.status).toBe('completed');
      expect(detail.lastEpoch).toBe(2);
    } finally {
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(binary === null)('Electron app', () => {
  it.skip('smoke test skipped: no Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD was set at install; run `node node_modules/electron/install.js` to fetch one)', () =>
    undefined);
});

describe.runIf(binary !== null)('Electron app', () => {
  it('starts, shows the workbench and exposes only the LabApi', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nnlab-e2e-electron-'));
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(out, 'main', 'index.js')],
      env: { ...process.env, NNLAB_HOME: dataDir } as Record<string, string>,
    });
    try {
      // Electron's own per-user folder is the lab's: one folder for the app and the CLI.
      const paths = await app.evaluate(({ app: electronApp }) => ({
        userData: electronApp.getPath('userData'),
        sessionData: electronApp.getPath('sessionData'),
      }));
      expect(paths.userData).toBe(dataDir);
      expect(paths.sessionData).toBe(join(dataDir, 'desktop-session'));
      const page = await app.firstWindow();
      await page.waitForSelector('[data-view="datasets"]');
      expect(await page.textContent('.nav__status')).toContain('Desktop');
      // A function, not a string: the page's CSP refuses string evaluation.
      const globals = await page.evaluate(() => {
        const scope = globalThis as unknown as Record<string, unknown>;
        return { lab: typeof scope.lab, require: typeof scope.require, process: typeof scope.process };
      });
      expect(globals).toEqual({ lab: 'object', require: 'undefined', process: 'undefined' });
      await page.click('[data-sample="xor"]');
      await page.waitForSelector('[data-dataset="xor"]');
      await screenshot(page, 'electron-datasets');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Not on macOS: there the folder sits under the real home, which a test must not touch.
  it.runIf(process.platform !== 'darwin')(
    'uses the per-user folder of the CLI without NNLAB_HOME',
    async () => {
      const configHome = mkdtempSync(join(tmpdir(), 'nnlab-e2e-xdg-'));
      const env = { ...process.env, XDG_CONFIG_HOME: configHome, APPDATA: configHome } as Record<
        string,
        string
      >;
      delete env.NNLAB_HOME;
      const app = await electron.launch({
        executablePath: binary!,
        args: [join(out, 'main', 'index.js')],
        env,
      });
      try {
        const userData = await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'));
        // platformDataDir is what `nnlab` resolves with no --data-dir and no NNLAB_HOME.
        expect(userData).toBe(platformDataDir(process.platform, env, homedir()));
      } finally {
        await app.close();
        rmSync(configHome, { recursive: true, force: true });
      }
    },
  );
});
