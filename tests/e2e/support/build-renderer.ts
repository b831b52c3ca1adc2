// Global setup: builds the renderer once, so the served UI is the code under test.
import { join } from 'node:path';
import { build } from 'vite';
import { repoRoot } from './lab-server.js';

export default async function setup(): Promise<void> {
  await build({ configFile: join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
