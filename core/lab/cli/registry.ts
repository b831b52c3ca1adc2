// The commands that need the runs side, and how the host builds it. Kept apart from main.ts so
// the runs integration is one file.
import type { OpenLabHostOptions } from '../api/host.js';
import type { Command } from './context.js';

export const extraCommands: Command[] = [];
export const runsFactory: OpenLabHostOptions['createRuns'] | undefined = undefined;
