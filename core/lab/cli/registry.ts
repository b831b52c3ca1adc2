// The commands that need the runs side, and how the host builds it. Kept apart from main.ts so
// the runs integration is one file.
import type { OpenLabHostOptions } from '../api/host.js';
import { createRunsAdapter } from '../api/runs-adapter.js';
import { RunManager } from '../runs/run-manager.js';
import { compare, modelsExport, modelsList, runsList, runsRemove, runsShow } from './commands/runs.js';
import { train } from './commands/train.js';
import type { Command } from './context.js';

export const extraCommands: Command[] = [
  train,
  runsList,
  runsShow,
  runsRemove,
  compare,
  modelsList,
  modelsExport,
];

/**
 * Trainers load TypeScript through tsx. Naming its loader by absolute URL (not the bare `tsx`,
 * which Node resolves from the working directory) lets `nnlab train` work from any folder.
 */
const trainerExecArgv = ['--import', import.meta.resolve('tsx')];

/** The run queue starts only when a command trains or serves, so reading never touches live runs. */
export const runsFactory: OpenLabHostOptions['createRuns'] = (store, dataDir) =>
  createRunsAdapter({ manager: new RunManager({ store, dataDir, trainerExecArgv }), store, dataDir });
