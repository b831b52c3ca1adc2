// Verifies that the native modules an install should have built really load. npm 11 warns
// about install scripts it has not approved; this turns a silently skipped build into a clear
// failure instead of a confusing one later.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let failed = false;

try {
  const Database = require('better-sqlite3');
  const db = new Database(':memory:');
  db.prepare('select 1').get();
  db.close();
  console.log('native: better-sqlite3 loads');
} catch (error) {
  failed = true;
  console.error(`native: better-sqlite3 does not load: ${error.message}`);
  console.error('  run `npm rebuild better-sqlite3` (it compiles from source with g++, make and python3)');
}

const addon = new URL('../native/build/Release/nnlab_kernels.node', import.meta.url);
if (existsSync(addon)) {
  try {
    require(addon.pathname);
    console.log('native: NN Lab CPU kernels load');
  } catch (error) {
    failed = true;
    console.error(`native: NN Lab CPU kernels were built but do not load: ${error.message}`);
  }
} else if (process.env.CI) {
  failed = true;
  console.error('native: NN Lab CPU kernels were not built (run `node scripts/build-native.mjs` to see why)');
} else {
  console.warn('native: NN Lab CPU kernels not built; the portable TypeScript kernels will be used');
}

process.exit(failed ? 1 : 0);
