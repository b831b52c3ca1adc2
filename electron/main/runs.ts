// The runs side of the desktop host. Trainers are plain Node processes (Electron's V8 memory cage
// refuses Dawn's external buffers): the packaged app ships a Node runtime under resources/node,
// and development uses the `node` on PATH, exactly like the CLI.
import type { OpenLabHostOptions } from '../../core/lab/api/host.js';
import { runsFactory } from '../../core/lab/cli/registry.js';

export const createRuns: OpenLabHostOptions['createRuns'] = runsFactory;
