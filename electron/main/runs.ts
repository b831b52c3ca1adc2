// The runs side of the desktop host. Trainers are plain Node processes, not Electron ones:
// Electron's V8 memory cage refuses the external buffers Dawn returns for mapped GPU memory
// (ARCHITECTURE.md, "Processes"). The packaged app ships a Node runtime under resources/node; in
// development the `node` on PATH (or NNLAB_NODE) runs them, as it does for the CLI.
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import type { OpenLabHostOptions } from '../../core/lab/api/host.js';
import { createRunsAdapter } from '../../core/lab/api/runs-adapter.js';
import { RunManager } from '../../core/lab/runs/run-manager.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The Node runtime trainers run in; throws with what to do when there is none. */
export function nodeRuntime(): string {
  const exe = process.platform === 'win32' ? 'node.exe' : 'node';
  if (app.isPackaged) {
    const shipped = join(
      process.resourcesPath,
      'node',
      process.platform === 'win32' ? exe : join('bin', exe),
    );
    if (existsSync(shipped)) return shipped;
    throw new Error(`The bundled Node runtime is missing (${shipped}); reinstall NN Lab.`);
  }
  if (process.env.NNLAB_NODE) return process.env.NNLAB_NODE;
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, exe);
    if (folder && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Node.js runtime found for the trainer: install Node 20.19+ or set NNLAB_NODE to its path.',
  );
}

/** The built trainer entry (out/main/trainer.js), outside the asar archive so plain Node can read it. */
function trainerEntry(): string {
  return join(here, 'trainer.js').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

export const createRuns: NonNullable<OpenLabHostOptions['createRuns']> = (store, dataDir) => {
  // RunManager starts trainers with child_process.fork, which runs process.execPath: in Electron
  // that is the Electron binary. Point it at the Node runtime instead. Nothing else in the main
  // process forks or relaunches through process.execPath.
  process.execPath = nodeRuntime();
  const manager = new RunManager({ store, dataDir, trainerEntry: trainerEntry(), trainerExecArgv: [] });
  return createRunsAdapter({ manager, store, dataDir });
};
