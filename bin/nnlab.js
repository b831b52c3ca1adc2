#!/usr/bin/env node
// The `nnlab` launcher: registers tsx so Node can run the TypeScript CLI directly, then hands it
// the arguments. It finds the CLI relative to its own real location, so it works through the
// node_modules/.bin symlink and from any working directory.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = join(dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
const { main } = await import(pathToFileURL(join(root, 'core', 'lab', 'cli', 'main.ts')).href);
process.exitCode = await main(process.argv.slice(2));
